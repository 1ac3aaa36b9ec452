# shellcheck shell=bash
# Helpers shared by the UKI / PCR prediction tests.
# boot_pcr DIR BANK INDEX: the PCR value read from sysfs in a real OVMF + swtpm boot
# (tests/vectors/uki/boot/DIR/pcrs-sysfs.pcrread-style.yaml), lower-case hex.
boot_pcr() {
        awk -v bank="  $2:" -v idx="$3" '
                /^  [a-z0-9]+:$/ { inbank = ($0 == bank); next }
                inbank { k = $1; sub(":", "", k); if (k == idx) { v = $NF; sub("^0x", "", v); print tolower(v) } }
        ' "$CT_SOURCE_ROOT/tests/vectors/uki/boot/$1/pcrs-sysfs.pcrread-style.yaml"
}
