#!/bin/sh
# libvirt 9.0's own C examples, as Debian 12 ships them (package
# libvirt-doc, downloaded and unpacked in the build tree, never installed
# nor copied into ours), built against our headers and library with
# implicit declarations as errors, and run against a real QEMU domain on
# an embed root: a program written for libvirt must compile unmodified
# and behave. Whatever happens, no QEMU stays.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
srcdir=${abs_top_srcdir:-.}
builddir=${abs_top_builddir:-.}
CC=${VIR_TEST_CC:-cc}
VIRSH=$builddir/tools/virsh
cache="$builddir/tests/libvirt-doc"
ex="$cache/usr/share/doc/libvirt-doc/examples/c"
examples="misc/hellolibvirt domain/info1 domain/suspend misc/openauth"

echo "1..7"
if [ ! -f "$ex/misc/hellolibvirt.c" ]; then
    mkdir -p "$cache"
    (cd "$cache" && apt-get download -q libvirt-doc >/dev/null 2>&1 &&
        dpkg -x libvirt-doc_*.deb . && rm -f libvirt-doc_*.deb)
fi
if [ ! -f "$ex/misc/hellolibvirt.c" ]; then
    echo "not ok 1 - libvirt 9.0's examples (Debian package libvirt-doc) could not be obtained"
    exit 1
fi

work=$(mktemp -d /tmp/vbpexamples-XXXXXX) || exit 1
chmod 0755 "$work"
ROOT=$work/root
URI="qemu:///embed?root=$ROOT"
cleanup() {
    for p in "$ROOT"/run/qemu/*.pid; do
        [ -f "$p" ] || continue
        pid=$(cat "$p")
        # Only a QEMU of this root: never a recycled pid.
        grep -q "guest=" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
unset LIBVIRT_DEFAULT_URI

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1)); echo "not ok $n - $1"; fail=1
    sed 's/^/#   stdout: /' "$work/out" 2>/dev/null
    sed 's/^/#   stderr: /' "$work/err" 2>/dev/null
}
# has PATTERN...: every extended regex matches a line of the output
has() {
    for pat in "$@"; do
        grep -qE -- "$pat" "$work/out" || { echo "#   no line matches: $pat"; return 1; }
    done
}

built=true
: >"$work/err"
for e in $examples; do
    name=$(basename "$e")
    # shellcheck disable=SC2086
    if ! $CC $VIR_TEST_CFLAGS -Werror=implicit-function-declaration \
            -I"$srcdir/include" -o "$work/$name" "$ex/$e.c" \
            $VIR_TEST_LDFLAGS "$builddir/src/.libs/libvirt-bp.so" \
            -Wl,-rpath,"$builddir/src/.libs" >>"$work/err" 2>&1; then
        echo "#   $e.c does not build"
        built=false
    fi
done
: >"$work/out"
if $built; then ok "libvirt's hellolibvirt.c, info1.c, suspend.c and openauth.c build against our headers"
else notok "libvirt's hellolibvirt.c, info1.c, suspend.c and openauth.c build against our headers"; exit 1
fi

qemu-img create -q -f raw "$work/base.raw" 32M &&
    qemu-img create -q -f qcow2 -b "$work/base.raw" -F raw "$work/ex.qcow2" || exit 1
cat >"$work/ex.xml" <<XML
<domain type='qemu'>
  <name>example</name>
  <memory unit='MiB'>64</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$work/ex.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
XML
cat >"$work/off.xml" <<XML
<domain type='qemu'>
  <name>example-off</name>
  <memory unit='MiB'>32</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
XML
run() { timeout -k 5 300 "$@" >"$work/out" 2>"$work/err"; }

if run "$VIRSH" -c "$URI" "define $work/ex.xml; start example; define $work/off.xml" &&
   has "^Domain 'example' started$"; then
    ok "virsh sets up a running and a defined domain"
else
    notok "virsh sets up a running and a defined domain"; exit 1
fi

if run "$work/hellolibvirt" "$URI" &&
   has "^Connected to hypervisor at \"qemu:///embed\?root=$ROOT\"$" \
       "^Hypervisor: \"QEMU\" version: [0-9]+\.[0-9]+\.[0-9]+$" \
       "^There are 1 active and 1 inactive domains$" \
       "^ +example \(active\)$" "^ +example-off \(non-active\)$" \
       "^Disconnected from hypervisor$"; then
    ok "hellolibvirt: the driver, its version, both lists"
else notok "hellolibvirt: the driver, its version, both lists"
fi

if run "$work/info1" "$URI" example && has "^Domain example: 2 CPUs$"; then
    ok "info1: a domain's info on a read-only connection"
else notok "info1: a domain's info on a read-only connection"
fi

# suspend.c pauses the domain, sleeps, resumes it; -d logs each step.
if run "$work/suspend" -d -c "$URI" -s 1 example &&
   grep -q "Domain suspended" "$work/err" && grep -q "Resuming the domain" "$work/err" &&
   ! grep -q "ERROR" "$work/err" &&
   run "$VIRSH" -c "$URI" "domstate example" && has "^running$"; then
    ok "suspend: paused and resumed, running again"
else notok "suspend: paused and resumed, running again"
fi

if run "$work/openauth" "$URI" someone secret &&
   has "^Connected to hypervisor at \"qemu:///embed\?root=$ROOT\"$" \
       "^There are 1 active and 1 inactive domains$" "^Disconnected from hypervisor$"; then
    ok "openauth: virConnectOpenAuth with its own credential callback"
else notok "openauth: virConnectOpenAuth with its own credential callback"
fi

if run "$VIRSH" -c "$URI" "destroy example; undefine example; undefine example-off"; then
    ok "the domains go"
else notok "the domains go"
fi
exit $fail
