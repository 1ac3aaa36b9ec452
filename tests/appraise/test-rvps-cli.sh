#!/bin/bash
# rvps export / lint from the command line: files written, exit statuses, JSON, and lint against
# each Trustee policy file in tests/vectors/policy. The payload decoding is checked with python's base64.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=$COCOTRUST
P=$CT_SOURCE_ROOT/tests/vectors/policy
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
py() { python3 -c "$1" "${@:2}"; }

h96() { printf "%096d" 0 | tr 0 "$1"; }
h64() { printf "%064d" 0 | tr 0 "$1"; }
snprow() { printf '{"mode": "snp", "vcpus": %s, "vcpu_type": "EPYC-Milan", "vmm": "QEMU", "guest_features": "0x1", "firmware": "firmware", "measurement": "%s"}' "$1" "$2"; }
cat >"$T/m.json" <<J
{"schema_version": 1, "name": "t", "artifacts": {},
 "snp": [$(snprow 1 "$(h96 a)"), $(snprow 2 "$(h96 b)")],
 "tdx": [{"memory_mib": 2048, "vcpus": 1, "variant": "default", "firmware": "firmware", "mrtd": "$(h96 c)",
          "rtmr": ["$(h96 0)", "$(h96 1)", "$(h96 2)", null], "xfam": "e702060000000000",
          "tdvfkernel": "$(h96 d)", "tdvfkernelparams": null}],
 "verity": [], "pcrs": {"sha256": {"11": "$(h64 e)"}}, "init_data": []}
J

"$CT" rvps export "$T/m.json" -o "$T/out" --snp-tcb 3,0,8,115 >"$T/stdout"
is "$?" 0 "export -o DIR: exit 0"
for f in rvps-message.json rvps-payload.json kbs-client.sh; do
        [ -s "$T/out/$f" ]; ok $? "export wrote $f"
done
got=$(py 'import json,sys,base64
m=json.load(open(sys.argv[1])); p=json.loads(base64.b64decode(m["payload"]))
print(m["version"], m["type"], sorted(m), type(p["snp_launch_measurement"]).__name__, len(p["snp_launch_measurement"]),
      p["snp_launch_measurement"][0][:4], type(p["tdvfkernel"]).__name__, p["xfam"], "expiration" in m)' "$T/out/rvps-message.json")
is "$got" "0.1.0 sample ['payload', 'type', 'version'] list 2 aaaa str ['e702060000000000'] False" \
        "message: version 0.1.0, type sample, base64 payload with lists, scalars, lower-case hex, LE xfam, no expiration"
py 'import json,sys,base64
m=json.load(open(sys.argv[1])); p=json.load(open(sys.argv[2]))
sys.exit(0 if json.loads(base64.b64decode(m["payload"])) == p else 1)' "$T/out/rvps-message.json" "$T/out/rvps-payload.json"
ok $? "rvps-payload.json is the decoded payload"
grep -q "snp_launch_measurement: 2 values; kbs-client cannot register a table" "$T/out/kbs-client.sh"
ok $? "kbs-client.sh says a table cannot be registered with kbs-client"
grep -q "set-sample-reference-value snp_launch_measurement" "$T/out/kbs-client.sh"
is "$?" 1 "no kbs-client line for a name with several values"
grep -q "set-sample-reference-value --as-single-value tdvfkernel $(h96 d)" "$T/out/kbs-client.sh"
ok $? "kbs-client line for a scalar uses --as-single-value"
grep -q "set-sample-reference-value --as-integer snp_microcode 115" "$T/out/kbs-client.sh"
ok $? "kbs-client line for an integer uses --as-integer"
"$CT" rvps export "$T/m.json" --snp-tcb 3,0,8 2>/dev/null; is "$?" 2 "--snp-tcb with three numbers: exit 2"

"$CT" rvps export "$T/m.json" --snp-tcb 3,0,8,115 >"$T/msg.json" 2>/dev/null
cmp -s "$T/msg.json" "$T/out/rvps-message.json"
ok $? "export without -o prints the same message on stdout"
"$CT" rvps export --json "$T/m.json" >"$T/e.json"
is "$(py 'import json,sys; d=json.load(open(sys.argv[1])); print(d["schema_version"], len(d["entries"]), len(d["kbs_client"]))' "$T/e.json")" \
        "1 7 6" "export --json (no --snp-tcb): schema_version, 7 names, 6 kbs-client lines"

"$CT" rvps lint "$T/out/rvps-message.json" >"$T/lint.txt"
is "$?" 0 "lint of the exported message: exit 0"
grep -q "^ok      snp_launch_measurement: list of 96-hex, as line 106" "$T/lint.txt"
ok $? "lint names the policy line that reads each value"
for pol in "$P"/trustee_ear_default_policy_cpu.rego; do
        "$CT" rvps lint "$T/out/rvps-message.json" --policy "$pol" >/dev/null
        is "$?" 0 "lint against $(basename "$pol"): exit 0"
done
"$CT" rvps lint "$T/m.json" --policy "$P/trustee_ear_default_policy_gpu.rego" >"$T/gpu.txt"
is "$?" 1 "lint against the GPU policy: the CPU names are read by no rule (exit 1)"
grep -q "no rule of the policy queries this name" "$T/gpu.txt"; ok $? "  and says so"
"$CT" rvps lint "$T/m.json" --policy "$P/trustee_ear_sample.rego" 2>"$T/err"
is "$?" 2 "lint against a policy without query_reference_value calls: exit 2"

# one wrong-shape case per TEE (snp, tdx, az-snp-vtpm, az-tdx-vtpm, tpm)
for case in "snp_launch_measurement \"$(h96 a)\" executables 33" "snp_smt_enabled [true] configuration 36" \
            "rtmr_1 \"$(h96 a)\" executables 33" "mr_td \"$(h96 a)\" hardware 97" \
            "smt_enabled true configuration 36" "tdx_pcr11 \"$(h64 a)\" executables 33" \
            "tpm_pcr11 \"$(h64 a)\" executables 33"; do
        set -- $case
        printf '{"%s": %s}\n' "$1" "$2" >"$T/p.json"
        "$CT" rvps lint --json "$T/p.json" >"$T/l.json"
        rc=$?
        got=$(py 'import json,sys; d=json.load(open(sys.argv[1])); f=[x for x in d["findings"] if x["name"]==sys.argv[2]][0]
print(f["level"], f["trust_claim"], f["default"])' "$T/l.json" "$1")
        is "$rc $got" "1 error $3 $4" "lint: $1 in the wrong shape leaves $3 at $4"
done

# bad input: exit 2, one line naming the file and field; a failed export writes nothing
sed "s/$(h96 a)/abc/" "$T/m.json" >"$T/bad.json"
"$CT" rvps export "$T/bad.json" -o "$T/out2" 2>"$T/err"
is "$?" 2 "malformed manifest: exit 2"
is "$(wc -l <"$T/err")" 1 "  one line"
grep -q "bad.json.*snp\[0\].*measurement" "$T/err"; ok $? "  naming the file and the field"
[ ! -e "$T/out2/rvps-message.json" ]; ok $? "  and writes no file"
echo '{"version": "0.2.0", "type": "sample", "payload": "e30="}' >"$T/v.json"
"$CT" rvps lint "$T/v.json" 2>"$T/err"
is "$?" 2 "message version other than 0.1.0: exit 2"
"$CT" rvps export 2>/dev/null; is "$?" 2 "export without a manifest: exit 2"
"$CT" rvps export --help | grep -q "overwrite"; ok $? "export --help explains the kbs-client limit"
"$CT" rvps export --help | grep -q "No --expiration"; ok $? "export --help says why there is no --expiration"
"$CT" rvps lint --help >/dev/null; is "$?" 0 "lint --help: exit 0"
done_testing
