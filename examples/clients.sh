#!/bin/sh
# Run the example clients (hello, dominfo, suspend, openauth) as a TAP
# test against a real QEMU domain on an embed root, checking what each
# prints. virsh sets the domains up: "client" running, "client-off" only
# defined. Whatever happens, no QEMU stays.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
top=${abs_top_builddir:-.}
VIRSH=${VIRSH:-$top/tools/virsh}
work=$(mktemp -d /tmp/clients-XXXXXX) || exit 1
chmod 0755 "$work"
ROOT=$work/root
URI="qemu:///embed?root=$ROOT"
n=0
cleanup() {
    for p in "$ROOT"/run/qemu/*.pid; do
        [ -f "$p" ] || continue
        pid=$(cat "$p")
        # Only a QEMU of this root: never a recycled pid.
        if grep -q "guest=" "/proc/$pid/cmdline" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
unset LIBVIRT_DEFAULT_URI

# check DESC PROGRAM ARGS... -- PATTERN...: run the program; pass if it
# exits 0 and its output has a line matching each extended regex.
check() {
    desc=$1
    shift
    cmd=""
    while [ "$1" != "--" ]; do
        cmd="$cmd '$1'"
        shift
    done
    shift
    n=$((n + 1))
    if eval "timeout -k 5 300 $cmd" >"$work/out" 2>"$work/err"; then
        for pat in "$@"; do
            if ! grep -qE -- "$pat" "$work/out"; then
                echo "not ok $n - $desc"
                echo "#   no line matches: $pat"
                sed 's/^/#   stdout: /' "$work/out"
                sed 's/^/#   stderr: /' "$work/err"
                return
            fi
        done
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        echo "#   failed: $cmd"
        sed 's/^/#   stdout: /' "$work/out"
        sed 's/^/#   stderr: /' "$work/err"
    fi
}

echo "1..6"
qemu-img create -q -f raw "$work/base.raw" 32M &&
    qemu-img create -q -f qcow2 -b "$work/base.raw" -F raw "$work/client.qcow2" ||
    exit 1
cat >"$work/client.xml" <<XML
<domain type='qemu'>
  <name>client</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$work/client.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
XML
cat >"$work/off.xml" <<XML
<domain type='qemu'>
  <name>client-off</name>
  <memory unit='MiB'>32</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
XML
check "virsh sets up a running and a defined domain" \
    "$VIRSH" -c "$URI" "define $work/client.xml; start client; define $work/off.xml" -- \
    "^Domain 'client' started$"
id=$("$VIRSH" -q -c "$URI" domid client)

check "hello: driver, versions, host and both lists" \
    "$top/examples/hello" "$URI" -- \
    "^Connected to \"qemu:///embed\?root=$ROOT\"$" \
    "^Hypervisor: QEMU [0-9]+\.[0-9]+\.[0-9]+$" \
    "^Library: libvirt 9\.0\.0$" \
    "^Host: $(hostname -s)" \
    "^There are 1 active domains$" \
    "^ +$id +client$" \
    "^There are 1 inactive domains$" \
    "^ +- +client-off$" \
    "^Disconnected$"

check "dominfo: a running domain by id, read-only" \
    "$top/examples/dominfo" "$URI" "$id" -- \
    "^Domain: +client$" "^Id: +$id$" "^State: +running$" \
    "^Max memory: +65536 KiB$" "^vCPUs: +1$" "^CPU time: +[0-9]+\.[0-9] s$"

check "suspend: paused with one event, running again with one event" \
    "$top/examples/suspend" "$URI" client -- \
    "^Domain 'client' suspended$" \
    "^event: domain 'client' suspended \(detail 0\)$" \
    "^state: paused \(reason 1\)$" \
    "^Domain 'client' resumed$" \
    "^event: domain 'client' resumed \(detail 0\)$" \
    "^state: running \(reason 5\)$"

check "openauth: counts with its own credential callback, never asked" \
    env VIRT_USER=admin VIRT_PASS=secret "$top/examples/openauth" "$URI" -- \
    "^Keepalive: not available on this connection$" \
    "^Number of running domains: 1$" \
    "^Number of defined domains: 1$" \
    "^Credentials asked for: 0$"

check "the domain is running and is stopped" \
    "$VIRSH" -c "$URI" "domstate --reason client; destroy client" -- \
    "^running \(unpaused\)$" "^Domain 'client' destroyed$"
