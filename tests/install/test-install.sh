#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Install into a DESTDIR tree and build on what was installed: the shared
# library (soname, only ct_ symbols exported), the headers, cocotrust.pc, the
# bash completion and the man pages. The library example is compiled with
# `pkg-config --cflags --libs cocotrust` from the tree, run against the
# installed libcocotrust.so.0, and its Authenticode digests are compared with
# pesign's (tests/vectors/pe/authenticode.tsv, columns pesign_sha256 and
# pesign_sha1: recorded from pesign 0.112, not computed by cocotrust).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"

src=$CT_SOURCE_ROOT
build=$CT_BUILD_ROOT
meson=${MESON:-meson}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$tmp/install.log" 2>&1
rc=$?
ok $rc "meson install --destdir"
[ $rc = 0 ] || { sed 's/^/# /' "$tmp/install.log"; done_testing; exit 1; }

bin=$(find "$dest" -path '*/bin/cocotrust' -type f | head -n 1)
so=$(find "$dest" -name 'libcocotrust.so.0' | head -n 1)
pc=$(find "$dest" -name 'cocotrust.pc' | head -n 1)
hdr=$(find "$dest" -path '*/include/cocotrust/pe.h' | head -n 1)
ok "$([ -x "$bin" ]; echo $?)" "bin/cocotrust installed (${bin#"$dest"})"
ok "$([ -L "$so" ] && [ -L "${so%.0}" ] && [ -f "$(readlink -f "$so")" ]; echo $?)" \
        "libcocotrust.so -> libcocotrust.so.0 -> real file (${so#"$dest"})"
ok "$([ -f "$pc" ]; echo $?)" "cocotrust.pc installed (${pc#"$dest"})"
ok "$([ -f "$hdr" ]; echo $?)" "include/cocotrust/pe.h installed"
n_src=$(ls "$src"/include/cocotrust/*.h | wc -l)
n_inst=$(ls "$(dirname "$hdr")"/*.h 2>/dev/null | wc -l)
is "$n_inst" "$n_src" "every public header installed"

soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
is "$soname" "libcocotrust.so.0" "soname"

nm -D --defined-only "$so" | awk '{print $3}' | sort -u >"$tmp/exported"
n_all=$(wc -l <"$tmp/exported")
n_other=$(grep -vc '^ct_' "$tmp/exported")
ok "$([ "$n_all" -gt 100 ]; echo $?)" "the library exports functions ($n_all)"
is "$n_other" 0 "only ct_ symbols exported"
[ "$n_other" = 0 ] || grep -v '^ct_' "$tmp/exported" | head -n 20 | sed 's/^/#   /'

# Functions the installed headers declare but the library does not export
# (a definition without CT_EXPORT): a program using them fails to link.
grep -hv '^\s*\*\|^\s*/\*\|static inline\|#define' "$(dirname "$hdr")"/*.h |
        grep -oE '\bct_[a-z0-9_]+ *\(' | sed 's/ *($//' | grep -v '^ct_code$' | sort -u >"$tmp/declared"
comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/missing"
n_missing=$(wc -l <"$tmp/missing")
if [ "$n_missing" = 0 ]; then
        ok 0 "every function declared in the headers is exported ($(wc -l <"$tmp/declared"))"
else
        ok 1 "every function declared in the headers is exported ($n_missing declared without CT_EXPORT)"
        sed 's/^/#   /' "$tmp/missing" | head -n 60
fi

# pkg-config from the tree.
export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs cocotrust 2>"$tmp/pc.err")
ok $? "pkg-config --cflags --libs cocotrust: $flags"
case $flags in *"-I$dest"*) r=0 ;; *) r=1 ;; esac
ok $r "pkg-config points into the DESTDIR tree"
libdir=$(dirname "$so")

cc=${CC:-cc}
san=()
case ${CT_SANITIZE:-none} in none | "") ;; *) san=(-fsanitize="$CT_SANITIZE") ;; esac

# Each installed header compiles on its own, strict C11.
bad=0
for h in "$(dirname "$hdr")"/*.h; do
        printf '#include <cocotrust/%s>\n' "$(basename "$h")" >"$tmp/h.c"
        # shellcheck disable=SC2086
        if ! "$cc" -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only $(pkg-config --cflags cocotrust) "$tmp/h.c" 2>"$tmp/h.err"; then
                diag "$(basename "$h") does not compile on its own:"; sed -n '1,5s/^/#   /p' "$tmp/h.err"; bad=$((bad + 1))
        fi
done
is "$bad" 0 "each installed header compiles alone (-std=c11 -pedantic -Werror)"

# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror "${san[@]}" -o "$tmp/lib-pe-hash" "$src/examples/lib-pe-hash.c" $flags 2>"$tmp/cc.err"
rc=$?
ok $rc "examples/lib-pe-hash.c compiles against the installed tree"
[ $rc = 0 ] || sed 's/^/#   /' "$tmp/cc.err"
needed=$(readelf -d "$tmp/lib-pe-hash" 2>/dev/null | grep -c 'NEEDED.*\[libcocotrust.so.0\]')
is "$needed" 1 "the example links libcocotrust.so.0 dynamically"

run() { LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }
resolved=$(run ldd "$tmp/lib-pe-hash" 2>/dev/null | sed -n 's/.*libcocotrust.so.0 => \([^ ]*\).*/\1/p')
is "$resolved" "$libdir/libcocotrust.so.0" "at run time it resolves to the tree's library"

tsv=$src/tests/vectors/pe/authenticode.tsv
col() { awk -F'\t' -v f="$1" -v c="$2" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } $1 == f { print $k; exit }' "$tsv"; }
for f in systemd-bootx64.efi linuxx64.efi.stub; do
        for alg in sha256 sha1; do
                want=$(col "$f" "pesign_$alg")
                got=$(run "$tmp/lib-pe-hash" -a "$alg" "$src/tests/vectors/pe/$f" | awk '{print $1}')
                is "$got" "$want" "lib-pe-hash -a $alg $f = pesign's digest"
        done
done
printf 'MZ garbage' >"$tmp/bad.efi"
run "$tmp/lib-pe-hash" "$tmp/bad.efi" >/dev/null 2>"$tmp/bad.err"
is "$?" 2 "lib-pe-hash on a truncated PE exits 2 ($(head -c 80 "$tmp/bad.err"))"

v=$(run "$bin" --version 2>&1)
case $v in "cocotrust "*) r=0 ;; *) r=1 ;; esac
ok $r "installed cocotrust --version: $v"

# Man pages: one for the command and one per docs/*.md page man/meson.build lists.
mandir=$(dirname "$(find "$dest" -path '*/man1/cocotrust.1' | head -n 1)")
n_man=$(ls "$mandir"/cocotrust*.1 2>/dev/null | wc -l)
ok "$([ -f "$mandir/cocotrust.1" ] && [ -f "$mandir/cocotrust-verity.1" ] && [ "$n_man" -ge 10 ]; echo $?)" \
        "man pages installed in share/man/man1 ($n_man)"
if command -v man >/dev/null && command -v groff >/dev/null; then
        text=$(MANWIDTH=80 man -l "$mandir/cocotrust.1" 2>"$tmp/man.err" | sed "s/.\x08//g")
        ok "$(grep -q '^EXIT STATUS' <<<"$text" && grep -q 'cocotrust AREA VERB' <<<"$text" && [ ! -s "$tmp/man.err" ]; echo $?)" \
                "man -l cocotrust.1 renders (EXIT STATUS, SYNOPSIS; $(wc -l <<<"$text") lines)"
        bad=0
        for m in "$mandir"/cocotrust*.1; do
                MANWIDTH=80 man --warnings=w -l "$m" >"$tmp/m.txt" 2>"$tmp/m.all"
                # Line-filling notices (a long code span) are layout, not errors.
                grep -v -e "can't break line" -e "cannot adjust line" "$tmp/m.all" >"$tmp/m.err"
                if [ -s "$tmp/m.err" ] || ! grep -q NAME "$tmp/m.txt"; then
                        bad=$((bad + 1)); diag "$(basename "$m"): $(head -n 2 "$tmp/m.err")"
                fi
        done
        is "$bad" 0 "every man page renders without groff warnings (line filling aside)"
        text=$(MANWIDTH=80 man -l "$mandir/cocotrust-pe-uki.1" 2>/dev/null | sed "s/.\x08//g")
        ok "$(grep -q -- '--explain' <<<"$text" && grep -q 'cocotrust pe hash' <<<"$text"; echo $?)" \
                "cocotrust-pe-uki.1 carries docs/pe-uki.md (options, synopsis)"
else
        skip "man -l renders cocotrust.1" "man or groff not installed"
fi

# Bash completion, driven as bash would drive it.
comp=$(find "$dest" -path '*/bash-completion/completions/cocotrust' | head -n 1)
ok "$([ -f "$comp" ]; echo $?)" "bash completion installed (${comp#"$dest"})"
complete_words() {
        COCOTRUST_BIN=$bin bash -c '
                . "$1"; shift
                COMP_WORDS=("$COCOTRUST_BIN" "$@"); COMP_CWORD=$(($# ))
                _cocotrust
                printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" 2>&1
}
if [ -f "$comp" ]; then
        w=$(complete_words "")
        ok "$(grep -qx verity <<<"$w" && grep -qx tdx <<<"$w" && grep -qx appraise <<<"$w"; echo $?)" \
                "completes the areas ($(wc -l <<<"$w"))"
        w=$(complete_words pe "")
        is "$w" "hash" "completes the verbs of an area (pe -> hash)"
        w=$(complete_words verity "")
        ok "$(grep -qx format <<<"$w" && grep -qx verify <<<"$w"; echo $?)" "completes verity's verbs ($(echo $w))"
        w=$(complete_words pe hash --)
        ok "$(grep -qx -- --json <<<"$w" && grep -qx -- --help <<<"$w"; echo $?)" "completes a verb's options ($(wc -l <<<"$w"))"
fi
done_testing
