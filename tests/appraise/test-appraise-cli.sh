#!/bin/bash
# cocotrust appraise on real captured boots (tests/vectors/tpm/boot: OVMF + swtpm boots of a UKI with
# Secure Boot off (uki-A) and on (uki-A-secureboot)). The manifest's captured_pcrs are the guest's own
# sysfs PCR values of uki-A; the expected first differing event comes from tpm2_eventlog 5.4's YAML of
# both logs (an independent decoder), not from cocotrust.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=$COCOTRUST
B=$CT_SOURCE_ROOT/tests/vectors/tpm/boot
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# manifest whose captured_pcrs are the sha256 PCRs of a pcrread-style YAML (optionally an init-data entry)
mkman() {
        python3 - "$@" <<'PY'
import json, re, sys
yaml, out = sys.argv[1], sys.argv[2]
banks, cur = {}, None
for line in open(yaml):
    m = re.match(r'^\s*(sha1|sha256|sha384|sha512)\s*:\s*$', line)
    if m:
        cur = m.group(1); banks[cur] = {}; continue
    m = re.match(r'^\s*(\d+)\s*:\s*(0x)?([0-9A-Fa-f]+)', line)
    if m and cur:
        banks[cur][m.group(1)] = m.group(3).lower()
man = {"schema_version": 1, "name": "t", "artifacts": {}, "snp": [], "tdx": None, "verity": [],
       "pcrs": {}, "captured_pcrs": {"sha256": banks["sha256"]}, "init_data": [], "notes": {"tdx": "not computed"}}
json.dump(man, open(out, "w"), indent=1)
PY
}
# first PCR-N event (sha256 digest) that differs between two tpm2_eventlog YAML files: "NUM TYPE NAME"
first_diff() {
        python3 - "$@" <<'PY'
import re, sys
def events(path, pcr):
    evs, cur = [], None
    for line in open(path):
        m = re.match(r'^- EventNum: (\d+)', line)
        if m:
            cur = {"num": m.group(1)}; evs.append(cur); continue
        if cur is None: continue
        for key, rx in (("pcr", r'^  PCRIndex: (\d+)'), ("type", r'^  EventType: (\S+)'),
                        ("name", r'^    UnicodeName: (\S+)')):
            m = re.match(rx, line)
            if m: cur.setdefault(key, m.group(1))
        if re.match(r'^  - AlgorithmId: sha256', line): cur["want"] = True
        m = re.match(r'^    Digest: "([0-9a-f]+)"', line)
        if m and cur.pop("want", False): cur["sha256"] = m.group(1)
    return [e for e in evs if e.get("pcr") == pcr and e.get("type") != "EV_NO_ACTION"]
a, b = events(sys.argv[1], sys.argv[3]), events(sys.argv[2], sys.argv[3])
for x, y in zip(a, b):
    if x.get("sha256") != y.get("sha256"):
        print(x["num"], x["type"], x.get("name", "-")); break
PY
}

mkman "$B/uki-A/pcrs-sysfs.pcrread-style.yaml" "$T/m.json"

# 1. the reference boot itself: affirming PCRs, a warning for unauthenticated values, exit 0
"$CT" appraise "$T/m.json" --pcrs "$B/uki-A/pcrs-sysfs.pcrread-style.yaml" \
        --eventlog "$B/uki-A/binary_bios_measurements" --json >"$T/a.json"
is "$?" 0 "reference boot: exit 0"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
c=d["claims"]; print(d["ear.status"], sum(x["tier"]=="affirming" for x in c), [x["name"] for x in c if x["tier"]!="affirming"],
      d["ear.trustworthiness-vector"]["executables"], d["trustee_default_policy_vector"]["executables"], d["schema_version"])' "$T/a.json")" \
        "affirming 24 ['pcr.source'] 3 3 1" "reference boot: 24 PCRs affirming, pcr.source none (not authenticated), executables 3 (Trustee: 3)"

# 2. Secure Boot on against the Secure Boot off reference: PCR 7 contraindicated, first differing event named
"$CT" appraise "$T/m.json" --pcrs "$B/uki-A-secureboot/pcrs-sysfs.pcrread-style.yaml" \
        --eventlog "$B/uki-A-secureboot/binary_bios_measurements" \
        --reference-eventlog "$B/uki-A/binary_bios_measurements" >"$T/sb.txt"
is "$?" 1 "Secure Boot on: exit 1 (contraindicated)"
grep -q "^  contraindicated pcr.sha256.7 " "$T/sb.txt"; ok $? "  PCR 7 contraindicated"
want=$(first_diff "$B/uki-A-secureboot/tpm2_eventlog-5.4.yaml" "$B/uki-A/tpm2_eventlog-5.4.yaml" 7)
set -- $want
diag "tpm2_eventlog: first differing PCR 7 event: $want"
grep -q "first event that differs: #$1 $2 variable $3 " "$T/sb.txt"
ok $? "  PCR 7: first event that differs is #$1 $2 $3 (as tpm2_eventlog decodes both logs)"
want4=$(first_diff "$B/uki-A-secureboot/tpm2_eventlog-5.4.yaml" "$B/uki-A/tpm2_eventlog-5.4.yaml" 4)
set -- $want4
grep -q "first event that differs: #$1 $2 image " "$T/sb.txt"
ok $? "  PCR 4: first event that differs is #$1 $2 (the UKI, signed: another Authenticode digest)"
grep -q "the event log replays to the evidence value" "$T/sb.txt"; ok $? "  the log replays to the evidence"
grep -q "^status: contraindicated" "$T/sb.txt"; ok $? "  status contraindicated"

# 3. a tampered PCR set: the log replays to the reference value, not to the evidence
python3 - "$B/uki-A/pcrs-sysfs.pcrread-style.yaml" "$T/tampered.yaml" <<'PY'
import re, sys
out, cur = [], None
for l in open(sys.argv[1]).read().split('\n'):
    m = re.match(r'^\s*(sha1|sha256)\s*:', l)
    if m: cur = m.group(1)
    if cur == 'sha256' and re.match(r'^\s*4\s*:', l): l = l[:-4] + 'BEEF'
    out.append(l)
open(sys.argv[2], 'w').write('\n'.join(out))
PY
"$CT" appraise "$T/m.json" --pcrs "$T/tampered.yaml" --eventlog "$B/uki-A/binary_bios_measurements" --json >"$T/t.json"
is "$?" 1 "tampered PCR 4: exit 1"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
bad=[x for x in d["claims"] if x["tier"]=="contraindicated"]; print([x["name"] for x in bad], "REFERENCE value" in bad[0]["explanation"], bad[0]["value"], bad[0].get("trustee_value"))' "$T/t.json")" \
        "['pcr.sha256.4'] True 96 None" "  only PCR 4, explained: the log replays to the reference value"

# 4. the event log alone (replayed) is the PCR evidence
"$CT" appraise "$T/m.json" --eventlog "$B/uki-A/binary_bios_measurements" --json >"$T/l.json"
rc=$?
is "$rc $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c={x["name"]:x["tier"] for x in d["claims"]}
print(c["pcr.sha256.4"], c["pcr.sha256.7"], c["pcr.sha256.10"])' "$T/l.json")" "0 affirming affirming none" \
        "event log alone: PCR 4 and 7 replay to the reference; PCR 10 (IMA, not in the firmware log): no claim"

# 5. init-data: PCR 8 of the evidence against the document (PCR 8 = SHA-256(0^32 || sha256(toml)), specs 1.3a)
printf 'version = "0.1.0"\nalgorithm = "sha256"\n[data]\n"aa.toml" = "x"\n' >"$T/init.toml"
pcr8=$(python3 -c 'import hashlib,sys; d=hashlib.sha256(open(sys.argv[1],"rb").read()).digest(); print(hashlib.sha256(bytes(32)+d).hexdigest())' "$T/init.toml")
sed "s/^\(  sha256:\)$/\1/" "$B/uki-A/pcrs-sysfs.pcrread-style.yaml" | python3 -c '
import re, sys
cur = None
for l in sys.stdin.read().split("\n"):
    m = re.match(r"^\s*(sha1|sha256)\s*:", l)
    if m: cur = m.group(1)
    if cur == "sha256" and re.match(r"^\s*8\s*:", l): l = "    8 : 0x" + sys.argv[1]
    print(l)' "$pcr8" >"$T/p8.yaml"
"$CT" appraise "$T/m.json" --pcrs "$T/p8.yaml" --init-data "$T/init.toml" --json >"$T/i.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c={x["name"]:x["tier"] for x in d["claims"]}
print(c["init_data.pcr8"], c["init_data.document"], c["pcr.sha256.8"])' "$T/i.json")" "affirming none contraindicated" \
        "init-data: PCR 8 binds the document (the manifest has none; PCR 8 differs from the reference boot)"
printf 'version = "0.1.0"\nalgorithm = "sha256"\n[data]\n"aa.toml" = "y"\n' >"$T/other.toml"
"$CT" appraise "$T/m.json" --pcrs "$T/p8.yaml" --init-data "$T/other.toml" --json >"$T/o.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c={x["name"]:x for x in d["claims"]}
print(c["init_data.pcr8"]["tier"], "expected" in c["init_data.pcr8"]["explanation"])' "$T/o.json")" "contraindicated True" \
        "init-data: another document does not bind PCR 8, and says what was expected"

# 6. SEV-SNP launch digests: the manifest has sev-snp-measure's digest for 2 vCPUs EPYC-Milan of the
# AmdSev OVMF fixture + synthetic kernel + initrd + cmdline; other digests of the same artifacts (other
# vectors, made by sev-snp-measure with other parameters) are explained by the configuration they match.
S=$CT_SOURCE_ROOT/tests/vectors/snp
vec() { awk -F'\t' -v id="$1" '$1 == id { print $4 }' "$S/snp_vectors.tsv"; }
python3 - "$S/inputs" "$(vec snp_amdsev_k_i_c_v2_milan)" "$T/snp.json" <<'PY'
import hashlib, json, os, sys
d, meas, out = sys.argv[1:]
def art(p): return {"path": os.path.join(d, p), "size": os.path.getsize(os.path.join(d, p)),
                    "sha256": hashlib.sha256(open(os.path.join(d, p), "rb").read()).hexdigest(), "parameters": {}}
cmd = "console=ttyS0 loglevel=7"
man = {"schema_version": 1, "name": "snp", "snp": [{"mode": "snp", "vcpus": 2, "vcpu_type": "EPYC-Milan", "vmm": "QEMU",
       "guest_features": "0x1", "firmware": "firmware", "measurement": meas}],
       "artifacts": {"firmware": art("ovmf_AmdSev_suffix.bin"), "kernel": art("kernel_synth.bin"),
                     "initrd": art("initrd_small.bin"),
                     "cmdline": {"text": cmd, "sha256": hashlib.sha256(cmd.encode()).hexdigest(), "parameters": {}}},
       "tdx": None, "verity": [], "pcrs": {}, "init_data": [], "notes": {"tdx": "not computed"}}
json.dump(man, open(out, "w"), indent=1)
PY
"$CT" appraise "$T/snp.json" --snp-measurement "$(vec snp_amdsev_k_i_c_v2_milan)" >"$T/s0.txt"
is "$?" 0 "SNP digest in the manifest: exit 0"
grep -q "^  affirming       snp.launch_measurement .*manifest row 0 (snp, 2 vCPUs, EPYC-Milan, QEMU" "$T/s0.txt"
ok $? "  affirming, naming the manifest row"
for c in "snp_amdsev_k_i_c_v2_genoa:snp, 2 vCPUs, EPYC-Genoa, QEMU, guest features 0x1" \
         "snp_amdsev_k_i_c_v64_epycv4:snp, 64 vCPUs, " \
         "snp_amdsev_k_i_c_v1_epycv4_gf21:snp, 1 vCPU, .*guest features 0x21"; do
        id=${c%%:*}; want=${c#*:}
        "$CT" appraise "$T/snp.json" --snp-measurement "$(vec "$id")" --json >"$T/s.json"
        rc=$?
        got=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["claims"][0]; print(c["tier"], c["trustee_value"]); print(c["explanation"])' "$T/s.json")
        is "$rc $(echo "$got" | head -1)" "1 contraindicated 33" "$id: contraindicated (Trustee: executables 33)"
        echo "$got" | grep -q "^matches $want"; ok $? "  explained: matches $want"
        echo "$got" | grep -q "^the manifest covers 2 vCPUs, EPYC-Milan, QEMU, guest features 0x1"; ok $? "  and says what the manifest covers"
done
bad=$(vec snp_amdsev_k_i_c_v2_milan | sed 's/^./0/; s/^00/11/')
"$CT" appraise "$T/snp.json" --snp-measurement "$bad" >"$T/s1.txt"
is "$?" 1 "a digest no configuration gives: exit 1"
grep -q "no configuration in the searched space" "$T/s1.txt"; ok $? "  says: no configuration in the searched space"

# 7. real signed SEV-SNP reports (tests/vectors/evidence/snp, Microsoft's TEE-Attestation-Verification samples):
# a manifest with the report's MEASUREMENT (from EXPECTED.json, parsed by the shared Python oracle)
E=$CT_SOURCE_ROOT/tests/vectors/evidence/snp
for prod in milan genoa; do
        meas=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print([x for x in d["reports"] if x["file"] == sys.argv[2]][0]["parsed"]["measurement"])' "$E/EXPECTED.json" \
                "msft-tav_${prod}_attestation_report.bin")
        python3 -c 'import json,sys
json.dump({"schema_version": 1, "name": "r", "artifacts": {}, "snp": [{"mode": "snp", "vcpus": 4, "vcpu_type": "EPYC-Milan",
  "vmm": "QEMU", "guest_features": "0x1", "firmware": "firmware", "measurement": sys.argv[1]}], "tdx": None, "verity": [],
  "pcrs": {}, "init_data": [], "notes": {"tdx": "not computed"}}, open(sys.argv[2], "w"))' "$meas" "$T/$prod.json"
        certs=(--certs "$E/msft-tav_${prod}_vcek.pem" --certs "$E/msft-tav_${prod}_ask.pem" --certs "$E/msft-tav_${prod}_ark.pem")
        "$CT" appraise "$T/$prod.json" --snp-report "$E/msft-tav_${prod}_attestation_report.bin" "${certs[@]}" --json >"$T/r.json"
        rc=$?
        is "$rc $(python3 -c 'import json,sys; c={x["name"]: x["tier"] for x in json.load(open(sys.argv[1]))["claims"]}
print(c["snp.signature"], c["snp.tcb"], c["snp.policy"], c["snp.launch_measurement"])' "$T/r.json")" \
                "0 affirming warning affirming affirming" "$prod report: signature affirming, TCB freshness a warning, policy and MEASUREMENT affirming"
        # a report whose MEASUREMENT was changed: the signature no longer holds
        python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[0x90]^=1; open(sys.argv[2],"wb").write(d)' \
                "$E/msft-tav_${prod}_attestation_report.bin" "$T/bad.bin"
        "$CT" appraise "$T/$prod.json" --snp-report "$T/bad.bin" "${certs[@]}" --json >"$T/b.json"
        rc=$?
        is "$rc $(python3 -c 'import json,sys; c={x["name"]: x for x in json.load(open(sys.argv[1]))["claims"]}
s=c["snp.signature"]; print(s["tier"], "report_signature" in s["explanation"], c["snp.launch_measurement"]["tier"])' "$T/b.json")" \
                "1 contraindicated True contraindicated" "$prod report with a changed MEASUREMENT: signature contraindicated (names the failed check)"
done
# the genuine Milan report against another manifest: signed, but its MEASUREMENT is not the manifest's
sed 's/"measurement": "[0-9a-f]*"/"measurement": "'"$(printf '%096d' 7)"'"/' "$T/milan.json" >"$T/other.json"
"$CT" appraise "$T/other.json" --snp-report "$E/msft-tav_milan_attestation_report.bin" --certs "$E/msft-tav_milan_vcek.pem" \
        --certs "$E/msft-tav_milan_ask.pem" --certs "$E/msft-tav_milan_ark.pem" >"$T/g.txt"
is "$?" 1 "Milan report against another manifest: exit 1"
grep -q "^  affirming       snp.signature" "$T/g.txt" && grep -q "^  contraindicated snp.launch_measurement" "$T/g.txt"
ok $? "  signature affirming, MEASUREMENT contraindicated"
grep -q "not searched: the manifest names no firmware file" "$T/g.txt"; ok $? "  says why the configuration search could not run"
"$CT" appraise "$T/milan.json" --snp-report "$E/msft-tav_milan_attestation_report.bin" >"$T/n.txt"
is "$?" 1 "a report without --certs: exit 1 (the VCEK is missing)"

# 8. Trustee's TPM evidence (its verifier's test sample): the quote first, then its 24 PCRs, authenticated
TE=$CT_SOURCE_ROOT/tests/vectors/evidence/tpm/trustee_tpm_evidence.json
python3 - "$TE" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); p = d["tpm_quote"]["pcrs"]
man = {"schema_version": 1, "name": "tpm", "artifacts": {}, "snp": [], "tdx": None, "verity": [], "pcrs": {},
       "captured_pcrs": {"sha256": {str(i): v.lower() for i, v in enumerate(p)}}, "init_data": [], "notes": {"tdx": "-"}}
json.dump(man, open(sys.argv[2] + "/tpm.json", "w"))
man["captured_pcrs"]["sha256"]["11"] = "ab" * 32
json.dump(man, open(sys.argv[2] + "/tpm11.json", "w"))
PY
"$CT" appraise "$T/tpm.json" --tpm-evidence "$TE" --json >"$T/te.json"
is "$? $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c={x["name"]: x["tier"] for x in d["claims"]}
print(d["ear.status"], c["tpm.quote"], c["pcr.sha256.11"], "pcr.source" in c, d["trustee_default_policy_vector"]["hardware"])' "$T/te.json")" \
        "0 affirming affirming affirming False 2" "TPM evidence: quote affirming, PCRs authenticated and affirming (Trustee: hardware 2)"
"$CT" appraise "$T/tpm11.json" --tpm-evidence "$TE" --json >"$T/te.json"
is "$? $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c={x["name"]: x for x in d["claims"]}
print(c["pcr.sha256.11"]["tier"], c["pcr.sha256.11"]["trustee_value"], d["trustee_default_policy_vector"]["executables"])' "$T/te.json")" \
        "1 contraindicated 33 33" "TPM evidence against another PCR 11: contraindicated (Trustee: executables 33)"
python3 -c 'import json,sys,base64; d=json.load(open(sys.argv[1])); m=bytearray(base64.b64decode(d["tpm_quote"]["message"]))
m[-1]^=1; d["tpm_quote"]["message"]=base64.b64encode(bytes(m)).decode(); json.dump(d, open(sys.argv[2],"w"))' "$TE" "$T/te-bad.json"
"$CT" appraise "$T/tpm.json" --tpm-evidence "$T/te-bad.json" --json >"$T/te.json"
is "$? $(python3 -c 'import json,sys; c={x["name"]: x["tier"] for x in json.load(open(sys.argv[1]))["claims"]}; print(c["tpm.quote"])' "$T/te.json")" \
        "1 contraindicated" "TPM evidence with a changed quote: the quote is contraindicated"

# 9. a TDX quote (go-tdx-guest's production sample) against a manifest row made of its own values
# (EXPECTED.json, the shared Python oracle), then against a row whose RTMR 2 differs
Q=$CT_SOURCE_ROOT/tests/vectors/tdx/quotes
python3 - "$Q/EXPECTED.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
q = [x for x in d["quotes"] if x["file"] == "go-tdx-guest_tdx_prod_quote_SPR_E4.dat"][0]["body"]
row = {"memory_mib": 2048, "vcpus": 1, "variant": "default", "firmware": "firmware", "mrtd": q["mr_td"],
       "rtmr": [q["rtmr_0"], q["rtmr_1"], q["rtmr_2"], None], "tdvfkernel": None, "tdvfkernelparams": None, "xfam": q["xfam"]}
man = {"schema_version": 1, "name": "tdx", "artifacts": {}, "snp": [], "tdx": [row], "verity": [], "pcrs": {},
       "init_data": [], "notes": {}}
json.dump(man, open(sys.argv[2] + "/tdx.json", "w"))
row["rtmr"][2] = "00" * 48
json.dump(man, open(sys.argv[2] + "/tdx2.json", "w"))
PY
"$CT" appraise "$T/tdx.json" --tdx-quote "$Q/go-tdx-guest_tdx_prod_quote_SPR_E4.dat" --json >"$T/q.json"
is "$? $(python3 -c 'import json,sys; c={x["name"]: x["tier"] for x in json.load(open(sys.argv[1]))["claims"]}
print(c["tdx.signature"], c["tdx.tcb"], c["tdx.mr_td"], c["tdx.rtmr_1"], c["tdx.rtmr_2"], c["tdx.xfam"], c["tdx.debug"])' "$T/q.json")" \
        "0 none warning affirming affirming affirming affirming affirming" "TDX quote: MRTD, RTMR 1/2, XFAM affirming; signature not asserted, TCB a warning"
"$CT" appraise "$T/tdx2.json" --tdx-quote "$Q/go-tdx-guest_tdx_prod_quote_SPR_E4.dat" --json >"$T/q.json"
is "$? $(python3 -c 'import json,sys; c={x["name"]: x for x in json.load(open(sys.argv[1]))["claims"]}
r=c["tdx.rtmr_2"]; print(r["tier"], r["trustee_value"], "command line" in r["explanation"])' "$T/q.json")" \
        "1 contraindicated 33 True" "TDX quote, other RTMR 2: contraindicated, says what RTMR 2 measures"

# 10. usage and bad input
"$CT" appraise "$T/m.json" 2>/dev/null; is "$?" 2 "no evidence: exit 2"
"$CT" appraise "$T/m.json" --hcl-report x 2>"$T/err"; is "$?" 3 "--hcl-report: not supported yet, exit 3"
grep -q "not supported yet" "$T/err"; ok $? "  and says so"
echo '{"schema_version": 1}' >"$T/bad.json"
"$CT" appraise "$T/bad.json" --pcrs "$B/uki-A/pcrs-sysfs.pcrread-style.yaml" 2>"$T/err"
is "$?" 2 "malformed manifest: exit 2"
grep -q "bad.json" "$T/err"; ok $? "  naming the file"
head -c 20 "$B/uki-A/binary_bios_measurements" >"$T/short.log"
"$CT" appraise "$T/m.json" --eventlog "$T/short.log" 2>"$T/err"; rc=$?
is "$rc" 2 "event log cut inside its header: exit 2"
head -c 3000 "$B/uki-A/binary_bios_measurements" >"$T/short.log"
"$CT" appraise "$T/m.json" --eventlog "$T/short.log" >"$T/out" 2>"$T/err"
grep -q "warning         eventlog.complete" "$T/out"; ok $? "event log cut inside a record: a warning says so"
"$CT" appraise --help | grep -q "Exit status"; ok $? "--help documents the exit statuses"
done_testing
