#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Build the Debian packages (dpkg-buildpackage -us -uc -b) from a copy of the
# source tree, check what each package holds, unpack them into a root and
# build examples/lib-pe-hash.c on libcocotrust-dev + libcocotrust0 with
# pkg-config from there; its digests must equal pesign's (authenticode.tsv).
# A package build compiles everything again: it runs only with
# CT_TEST_DEBIAN=1 (e.g. `CT_TEST_DEBIAN=1 meson test -C build --suite debian`).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"

if [ "${CT_TEST_DEBIAN:-0}" != 1 ]; then
        skip "dpkg-buildpackage -us -uc -b" "CT_TEST_DEBIAN=1 not set (a package build compiles everything again)"
        done_testing; exit 0
fi
if ! command -v dpkg-buildpackage >/dev/null || ! dpkg-query -W -f='${Status}' debhelper 2>/dev/null | grep -q 'ok installed'; then
        skip "dpkg-buildpackage -us -uc -b" "dpkg-dev or debhelper not installed (WITH_DEB=1 scripts/install-deps)"
        done_testing; exit 0
fi

src=$CT_SOURCE_ROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n '1s/^cocotrust (\([^)]*\)).*/\1/p' "$src/debian/changelog")
tree=$tmp/cocotrust-$version
mkdir -p "$tree"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$src" && git ls-files -co --exclude-standard | grep -v '^build' | tar -cf - -T -) | tar -xf - -C "$tree"
else
        (cd "$src" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$tree"
fi
(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
rc=$?
ok $rc "dpkg-buildpackage -us -uc -b"
[ $rc = 0 ] || { tail -n 30 "$tmp/build.log" | sed 's/^/#   /'; done_testing; exit 1; }

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
for p in cocotrust libcocotrust0 libcocotrust-dev; do
        deb=$tmp/${p}_${version}_$arch.deb
        ok $([ -f "$deb" ]; echo $?) "package $p built ($(basename "$deb"))"
        dpkg-deb -c "$deb" 2>/dev/null | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/$p.list"
done
has() { grep -q -- "$2" "$tmp/$1.list"; }
ok $(has cocotrust '^/usr/bin/cocotrust$' && has cocotrust '/usr/share/man/man1/cocotrust.1' &&
        has cocotrust 'bash-completion/completions/cocotrust'; echo $?) "cocotrust: the command, man pages, completion"
ok $(has libcocotrust0 '/libcocotrust.so.0' && ! has libcocotrust0 '/include/'; echo $?) "libcocotrust0: the shared library only"
ok $(has libcocotrust-dev '/usr/include/cocotrust/pe.h' && has libcocotrust-dev 'pkgconfig/cocotrust.pc' &&
        has libcocotrust-dev '/libcocotrust.so$'; echo $?) "libcocotrust-dev: headers, libcocotrust.so, cocotrust.pc"
shlibs=$(dpkg-deb -f "$tmp/libcocotrust0_${version}_$arch.deb" Package 2>/dev/null)
is "$shlibs" libcocotrust0 "libcocotrust0 control: Package"
dep=$(dpkg-deb -f "$tmp/cocotrust_${version}_$arch.deb" Depends)
diag "cocotrust Depends: $dep"

root=$tmp/root
for p in libcocotrust0 libcocotrust-dev cocotrust; do dpkg-deb -x "$tmp/${p}_${version}_$arch.deb" "$root"; done
pc=$(find "$root" -name cocotrust.pc | head -n 1)
so=$(find "$root" -name libcocotrust.so.0 | head -n 1)
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs cocotrust)
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror -o "$tmp/lib-pe-hash" "$src/examples/lib-pe-hash.c" $flags 2>"$tmp/cc.err"
ok $? "lib-pe-hash.c builds on the unpacked packages ($flags)"
tsv=$src/tests/vectors/pe/authenticode.tsv
want=$(awk -F'\t' 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "pesign_sha256") k = i; next } $1 == "linuxx64.efi.stub" { print $k; exit }' "$tsv")
got=$(LD_LIBRARY_PATH=$(dirname "$so") "$tmp/lib-pe-hash" "$src/tests/vectors/pe/linuxx64.efi.stub" | awk '{print $1}')
is "$got" "$want" "lib-pe-hash linuxx64.efi.stub through libcocotrust0 = pesign's digest"
v=$("$root/usr/bin/cocotrust" --version 2>&1)
is "$v" "cocotrust $version" "the packaged cocotrust --version"
done_testing
