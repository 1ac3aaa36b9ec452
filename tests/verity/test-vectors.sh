#!/bin/bash
# Every vector of tests/vectors/verity/verity_vectors.tsv (made by veritysetup
# 2.6.1, see the README there): `cocotrust verity format` with the same command
# line must give the same root hash, the same hash file bytes, the same FEC
# bytes; `verity table` the same table line; `verity verify` must accept it.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
V="$CT_SOURCE_ROOT/tests/vectors/verity"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }

n=0
while IFS=$'\t' read -r id gen size data_sha cmd root hsize hsha fsha nblk levels hstart oracle table notes; do
        [ "$id" = id ] && continue
        n=$((n + 1))
        rm -rf "$W/$id"; mkdir "$W/$id"; d="$W/$id"
        cp "$V/inputs/$id.data" "$d/DATA"
        chmod u+w "$d/DATA"
        is "$(sha "$d/DATA")" "$data_sha" "$id: input data is the vector's"
        args=${cmd%%(*}                     # drop the "(F = copy of data file)" note
        args=${args#veritysetup format }
        same=0
        case "$args" in "F F "*) same=1; args=${args#F F }; HASHF="$d/DATA" ;;
                        "DATA HASH "*) args=${args#DATA HASH }; HASHF="$d/HASH" ;; esac
        # shellcheck disable=SC2086
        set -- $args
        opts=()
        for a in "$@"; do
                case "$a" in FEC) opts+=("$d/FEC") ;; *) opts+=("$a") ;; esac
        done
        ( cd "$d" && "$COCOTRUST" verity format DATA "$(basename "$HASHF")" "${opts[@]}" \
                --root-hash-file root.hex >out.txt 2>err.txt )
        rc=$?
        ok $rc "$id: format exits 0 ($notes)"
        [ $rc = 0 ] || { diag "$(cat "$d/err.txt")"; continue; }
        is "$(cat "$d/root.hex")" "$root" "$id: root hash"
        is "$(grep '^Root hash:' "$d/out.txt" | cut -f2)" "$root" "$id: printed root hash"
        is "$(stat -c %s "$HASHF")" "$hsize" "$id: hash file size"
        is "$(sha "$HASHF")" "$hsha" "$id: hash file bytes"
        cmp -s "$HASHF" "$V/outputs/$id.hash"; ok $? "$id: hash file identical to outputs/$id.hash"
        if [ "$fsha" != - ]; then
                is "$(sha "$d/FEC")" "$fsha" "$id: FEC file bytes"
                cmp -s "$d/FEC" "$V/outputs/$id.fec"; ok $? "$id: FEC file identical to outputs/$id.fec"
        fi
        # table and verify take the same options (parameters from the superblock when there is one)
        topts=()
        skip_next=0
        for a in "${opts[@]}"; do
                if [ $skip_next = 1 ]; then skip_next=0; continue; fi
                case "$a" in --uuid) skip_next=1 ;; "$d/FEC") topts+=(FEC) ;; *) topts+=("$a") ;; esac
        done
        case " $args " in *" --no-superblock "*) topts+=(--data-blocks "$nblk") ;; esac
        got=$(cd "$d" && "$COCOTRUST" verity table DATA "$(basename "$HASHF")" "$root" "${topts[@]}" \
                --data-device DATA --hash-device HASH --output table 2>/dev/null)
        is "$got" "$table" "$id: table line"
        case " $args " in *" --no-superblock "*) ;; *)
                off=0
                case " $args " in *" --hash-offset "*) off=$(echo "$args" | sed 's/.*--hash-offset \([0-9]*\).*/\1/') ;; esac
                dj=$(cd "$d" && "$COCOTRUST" verity dump "$(basename "$HASHF")" --hash-offset "$off" --json)
                is "$(echo "$dj" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["levels"], j["hash_start_block"], j["data_blocks"])')" \
                        "$levels $hstart $nblk" "$id: dump --json: levels, hash start block, data blocks"
                if command -v veritysetup >/dev/null; then
                        vd=$(cd "$d" && veritysetup dump "$(basename "$HASHF")" --hash-offset "$off" 2>&1)
                        cd_=$(cd "$d" && "$COCOTRUST" verity dump "$(basename "$HASHF")" --hash-offset "$off" 2>&1)
                        is "$cd_" "$vd" "$id: dump text identical to veritysetup dump"
                fi ;;
        esac
        ( cd "$d" && "$COCOTRUST" verity verify DATA "$(basename "$HASHF")" "$root" "${topts[@]}" >/dev/null 2>&1 )
        ok $? "$id: verify accepts the tree"
done < "$V/verity_vectors.tsv"
diag "$n vectors"
is "$n" 27 "all 27 vectors of the TSV ran"
done_testing
