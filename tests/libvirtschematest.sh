#!/bin/sh
# Every domain XML we accept or write must be valid for libvirt 9.0's own
# schema: validate the golden files, and the live XML of a real running
# domain, against the schema shipped in Debian 12's libvirt0 package
# (downloaded, unpacked in the build tree, never installed).
srcdir=${abs_top_srcdir:-.}
builddir=${abs_top_builddir:-.}
cache="$builddir/tests/libvirt-schema"
rng="$cache/usr/share/libvirt/schemas/domain.rng"

if [ ! -f "$rng" ]; then
    mkdir -p "$cache"
    (cd "$cache" && apt-get download -q libvirt0 >/dev/null 2>&1 && \
        dpkg -x libvirt0_*.deb . && rm -f libvirt0_*.deb)
fi

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

if [ ! -f "$rng" ]; then
    echo "1..1"
    echo "not ok 1 - libvirt 9.0's schema (Debian package libvirt0) could not be obtained"
    exit 1
fi

files=$(ls "$srcdir"/tests/domainconfdata/*.xml | grep -v -e '/error-' -e '/status')
count=$(echo "$files" | wc -l)
echo "1..$((count + 1))"
for f in $files; do
    if out=$(xmllint --noout --relaxng "$rng" "$f" 2>&1); then
        ok "$(basename "$f") is valid for libvirt's schema"
    else
        echo "$out" | sed 's/^/# /'
        notok "$(basename "$f") is valid for libvirt's schema"
    fi
done

# The live XML of a running domain, as virsh dumpxml gives it.
work=$(mktemp -d /tmp/vbpschema-XXXXXX)
chmod 755 "$work"
cleanup() {
    for p in "$work"/root/run/qemu/*.pid; do
        # Only a QEMU of ours: a stale pid file may name a recycled pid.
        [ -f "$p" ] && grep -q "guest=" "/proc/$(cat "$p")/cmdline" 2>/dev/null &&
            kill -9 "$(cat "$p")" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
qemu-img create -q -f raw "$work/base.raw" 16M
qemu-img create -q -f qcow2 -b "$work/base.raw" -F raw "$work/top.qcow2"
cat > "$work/vm.xml" <<XML
<domain type='qemu'>
  <name>schema</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$work/top.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path='$work/serial.log'/><target port='0'/></serial>
    <console type='file'><source path='$work/serial.log'/><target port='0'/></console>
  </devices>
</domain>
XML
virsh="$builddir/tools/virsh -c qemu:///embed?root=$work/root"
if $virsh create "$work/vm.xml" >/dev/null && $virsh dumpxml schema > "$work/live.xml" &&
   xmllint --noout --relaxng "$rng" "$work/live.xml" 2>"$work/err"; then
    ok "live XML of a running domain is valid for libvirt's schema"
else
    sed 's/^/# /' "$work/err" "$work/live.xml" 2>/dev/null
    notok "live XML of a running domain is valid for libvirt's schema"
fi
$virsh destroy schema >/dev/null 2>&1
exit 0
