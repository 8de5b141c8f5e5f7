#!/bin/sh
# The main job: install what is missing, build, then run a real VM on a
# qcow2 chain with the embedded driver and pull the backing data into its
# disk while it runs: progress, the COMPLETED event, the disk standalone,
# the backing file given back.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
BUILDDIR="$top/_build" "$top/scripts/build.sh"

virsh="$top/_build/tools/virsh"
work=$(mktemp -d /tmp/libvirt-bp-demo-XXXXXX)
chmod 0755 "$work"
uri="qemu:///embed?root=$work/root"
cleanup() {
    for p in "$work"/root/run/qemu/*.pid; do
        # Only a QEMU of ours: a stale pid file may name a recycled pid.
        [ -f "$p" ] && grep -q "guest=" "/proc/$(cat "$p")/cmdline" 2>/dev/null &&
            kill -9 "$(cat "$p")" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "A backing image with data, and a thin qcow2 overlay on it"
run qemu-img create -q -f raw "$work/base.raw" 256M
run qemu-io -f raw -c "write -P 0x5a 0 128M" "$work/base.raw" >/dev/null
run qemu-img create -q -f qcow2 -b "$work/base.raw" -F raw "$work/vm.qcow2"
chmod 0600 "$work/base.raw" "$work/vm.qcow2"
run qemu-img info "$work/vm.qcow2"

cat > "$work/vm.xml" <<XML
<domain type='qemu'>
  <name>demo</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$work/vm.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
XML

# Cap the pull's bandwidth so that its progress can be watched.
mkdir -p "$work/root/etc"
echo "block_pull_max_bandwidth = 33554432   # 32 MiB/s" > "$work/root/etc/qemu.conf"

say "Define and start the VM (embedded QEMU driver, real qemu-system-x86_64)"
run "$virsh" -c "$uri" define "$work/vm.xml"
run "$virsh" -c "$uri" start demo
run "$virsh" -c "$uri" list --all
run "$virsh" -c "$uri" dominfo demo
run "$virsh" -c "$uri" domblklist demo --details

say "The live XML shows the backing chain read from the image headers"
run "$virsh" -c "$uri" dumpxml demo

say "While it runs, QEMU's user owns every image of the chain"
run ls -l "$work/base.raw" "$work/vm.qcow2"

say "Block pull: copy the backing data into the overlay while the VM runs"
run "$virsh" -c "$uri" blockpull demo vda --wait --verbose

say "The disk is standalone now: no backing file in the live XML or the image"
run "$virsh" -c "$uri" domblklist demo --details
"$virsh" -c "$uri" dumpxml demo | sed -n '/<disk/,/<\/disk>/p'
run qemu-img info -U "$work/vm.qcow2"

say "QEMU no longer has the backing file open, and its owner is restored"
pid=$(cat "$work/root/run/qemu/demo.pid")
printf '$ ls -l /proc/%s/fd | grep base.raw\n' "$pid"
ls -l "/proc/$pid/fd" | grep base.raw || echo "(none)"
run ls -l "$work/base.raw" "$work/vm.qcow2"

say "Stop the VM: every owner is back"
run "$virsh" -c "$uri" destroy demo
run ls -l "$work/base.raw" "$work/vm.qcow2"
run "$virsh" -c "$uri" undefine demo
say "Done"
