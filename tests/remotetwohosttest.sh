#!/bin/sh
# remotetwohosttest.sh: the two-host example of docs/uri.md and
# docs/tls.md, emitting TAP. Host B is a network namespace with a network
# of its own (a veth pair: A is 10.251.N.1, B 10.251.N.2) and a mount
# namespace of its own, where B's libvirtd listens on the default socket
# directory and, with --listen, for TLS on B's address, and B's sshd runs
# virt-ssh-helper. Host A (this namespace) reaches B only by its address:
# our virsh manages a VM on B over qemu+ssh:// (define, start, a pull
# with --wait, the bytes in the overlay, destroy), and our virsh and
# Debian's over qemu+tls://B/system with a certificate for B's address.
#
# Needs root, iproute2, sshd, certtool, QEMU and libvirt-clients
# (scripts/install-deps.sh): a missing one is a failure, never a skip.
# Every process, the namespace and the veth pair are removed on exit,
# also on failure.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

top_builddir=${abs_top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
LIBVIRTD=$top_builddir/src/remote/libvirtd
OUR_VIRSH=$top_builddir/tools/virsh
DEB_VIRSH=${DEBIAN_VIRSH:-/usr/bin/virsh}
SSHD=/usr/sbin/sshd
HANG=240    # seconds: a hang catcher, not a timing

. "$top_srcdir/tests/tapfuncs.sh"
. "$top_srcdir/tests/remotefuncs.sh"

umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/remote2host.XXXXXX") || exit 1
chmod 0755 "$T"
NS=lbp2h$$
VA=lbpa$$
VB=lbpb$$
NET=10.251.$(($$ % 250 + 1))
A=$NET.1
B=$NET.2
BPID=

cleanup() {
    # Host B's processes are the ones in its network namespace.
    pids=$(ip netns pids "$NS" 2>/dev/null)
    [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
    i=0
    while [ -n "$(ip netns pids "$NS" 2>/dev/null)" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    pids=$(ip netns pids "$NS" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    [ -n "$BPID" ] && wait "$BPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    ip link del "$VA" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ------------------------------------------------------------------
# What it needs
# ------------------------------------------------------------------

check "running as root (network and mount namespaces, sshd, QEMU)" [ "$(id -u)" = 0 ]
check "ip, sshd, ssh-keygen, certtool and unshare are installed" eval \
    'command -v ip >/dev/null && test -x "$SSHD" && command -v ssh-keygen >/dev/null && command -v certtool >/dev/null && command -v unshare >/dev/null'
check "our libvirtd, virsh and virt-ssh-helper are built, Debian's virsh is installed" eval \
    'test -x "$LIBVIRTD" && test -x "$OUR_VIRSH" && test -x "$top_builddir/tools/virt-ssh-helper" && test -x "$DEB_VIRSH"'
[ "$fail" -eq 0 ] || bail "what the test needs is there"

printf 'lbp-print-runstatedir:\n\t@echo $(runstatedir)\n' >"$T/print.mk"
RUNDIR=$(MAKEFLAGS= MFLAGS= MAKELEVEL= make -s --no-print-directory -C "$top_builddir" -f Makefile -f "$T/print.mk" lbp-print-runstatedir 2>/dev/null)/libvirt-bp
case $RUNDIR in
/*/libvirt-bp) ok "the build's runstatedir is known ($RUNDIR)" ;;
*) bail "the build's runstatedir is known ('$RUNDIR')" ;;
esac

# ------------------------------------------------------------------
# Host B: a network, keys, certificates, its daemon and its sshd
# ------------------------------------------------------------------

net_up() {
    ip netns add "$NS" &&
        ip link add "$VA" type veth peer name "$VB" &&
        ip link set "$VB" netns "$NS" &&
        ip addr add "$A/24" dev "$VA" && ip link set "$VA" up &&
        ip netns exec "$NS" ip addr add "$B/24" dev "$VB" &&
        ip netns exec "$NS" ip link set "$VB" up &&
        ip netns exec "$NS" ip link set lo up
}
check "host B: network namespace $NS, $A here and $B there (veth)" net_up
check "host A routes $B through the veth pair" eval 'ip route get "$B" | grep -q "dev $VA"' 
[ "$fail" -eq 0 ] || bail "the network to host B is up"

mkdir -m 0700 "$T/root" "$T/ssh"
mkdir -m 0755 "$T/images"
if ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host_key" &&
    ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/user_key" &&
    cp "$T/ssh/user_key.pub" "$T/ssh/authorized_keys" &&
    echo "$B $(cat "$T/ssh/host_key.pub")" >"$T/ssh/known_hosts"; then
    ok "ssh-keygen makes host B's host key and A's user key"
else
    notok "ssh-keygen makes host B's host key and A's user key"
fi
if TLSCERTS_SERVER_IP=$B "$top_srcdir/tests/tlscerts.sh" "$T/pki" >"$T/out" 2>&1; then
    ok "certtool makes a CA, B's certificate for $B and A's client certificate"
else
    notok "certtool makes a CA, B's certificate for $B and A's client certificate"
    diag "$T/out"
fi

cat >"$T/libvirtd.conf" <<EOF
# host B's daemon: the default sockets, TLS on B's address
qemu_root = "$T/root"
listen_addr = "$B"
ca_file = "$T/pki/server/cacert.pem"
cert_file = "$T/pki/server/servercert.pem"
key_file = "$T/pki/server/serverkey.pem"
tls_allowed_dn_list = ["O=libvirt-bp tests,CN=client"]
EOF
sshd_config "$B" 22 "$T/ssh" "$T/ssh" "$top_builddir/tools:/usr/bin:/bin" \
    >"$T/ssh/libvirt-bp-test-sshd_config"

# B's own $RUNDIR: a tmpfs on it, or on its nearest existing ancestor
# when it does not exist (B's mount namespace only).
anc=$RUNDIR
while [ ! -d "$anc" ]; do anc=$(dirname "$anc"); done
case "$T/ $top_builddir/" in *"$anc"/*)
    bail "a tmpfs on $anc would hide the test or the build: create $RUNDIR" ;;
esac
mkdir -p /run/sshd
ip netns exec "$NS" unshare --mount --propagation private /bin/sh -c '
    set -e
    mount -t tmpfs -o mode=0755 libvirt-bp-test "$1"
    mkdir -p "$2"
    "$3" --listen --config "$4" --pid-file "$5/libvirtd.pid" </dev/null >"$5/libvirtd.log" 2>&1 &
    exec "$6" -D -f "$7" -E "$5/sshd.log"' sh "$anc" "$RUNDIR" "$LIBVIRTD" \
    "$T/libvirtd.conf" "$T" "$SSHD" "$T/ssh/libvirt-bp-test-sshd_config" \
    </dev/null >"$T/hostb.out" 2>&1 &
BPID=$!

listens() { ip netns exec "$NS" ss -Hltn "sport = :$1" 2>/dev/null | grep -q LISTEN; }
if wait_for 60 listens 22 && wait_for 60 listens 16514; then
    ok "host B: sshd listens on $B:22, libvirtd for TLS on $B:16514"
else
    notok "host B: sshd listens on $B:22, libvirtd for TLS on $B:16514"
    diag "$T/hostb.out"
    diag "$T/libvirtd.log"
    finish
fi
check "host B's socket directory is B's own: its tmpfs is not mounted here" \
    eval '! grep -q " libvirt-bp-test " /proc/self/mountinfo'

# ------------------------------------------------------------------
# Host A manages B over ssh
# ------------------------------------------------------------------

SSHURI="qemu+ssh://root@$B/system?keyfile=$T/ssh/user_key&known_hosts=$T/ssh/known_hosts&no_tty=1"
TLSURI="qemu+tls://$B/system?pkipath=$T/pki/client"

check "B's images: a raw base with a pattern and a qcow2 overlay" \
    make_images "$T/images" 64M 16M overlay.qcow2
domain_xml twohost "$T/images/overlay.qcow2" >"$T/dom.xml"

virsh_with "$OUR_VIRSH" "$SSHURI" define "$T/dom.xml"
check "A: virsh define on B over qemu+ssh://root@$B/system" eval 'status 0 && out_has "defined"'
virsh_with "$OUR_VIRSH" "$SSHURI" start twohost
check "A: virsh start on B over ssh" eval 'status 0 && out_has "started"'
running_on_b() {
    qpid=$(pgrep -f "guest=twohost" | head -n 1)
    [ -n "$qpid" ] &&
        [ "$(readlink "/proc/$qpid/ns/net")" = "$(ip netns exec "$NS" readlink /proc/self/ns/net)" ]
}
check "the VM's QEMU runs on host B (in its network namespace)" running_on_b
virsh_with "$OUR_VIRSH" "$SSHURI" blockpull twohost vda --wait --verbose
check "A: blockpull --wait over ssh says Pull complete" eval 'status 0 && out_has "^Pull complete$"'

# ------------------------------------------------------------------
# ... and over TLS, our virsh and Debian's
# ------------------------------------------------------------------

virsh_with "$OUR_VIRSH" "$TLSURI" list
check "A: our virsh over qemu+tls://$B/system sees the VM running" eval 'status 0 && out_has "twohost +running"'
virsh_with "$DEB_VIRSH" "$TLSURI" list
check "A: Debian's virsh over qemu+tls://$B/system sees it too" eval 'status 0 && out_has "twohost +running"'
virsh_with "$OUR_VIRSH" "qemu+tls://$A/system?pkipath=$T/pki/client" list
check "A: nothing answers TLS on A's own address (the daemon is B's)" \
    eval '! status 0 && err_has "Connection refused"'
virsh_with "$OUR_VIRSH" "$TLSURI" destroy twohost
check "A: destroy over TLS" status 0

check "B's overlay holds the base's bytes and has no backing file" overlay_standalone "$T/images/overlay.qcow2"
virsh_with "$OUR_VIRSH" "$SSHURI" undefine twohost
check "A: undefine over ssh" status 0

finish
