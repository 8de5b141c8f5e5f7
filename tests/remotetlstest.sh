#!/bin/sh
# remotetlstest.sh: qemu+tls:// end to end, emitting TAP. Certificates
# made by certtool (tests/tlscerts.sh); the built libvirtd started with
# --listen on a free port of 127.0.0.1; our virsh, Debian's virsh
# (libvirt 9.0) and python3-libvirt reach it with
# qemu+tls://127.0.0.1:PORT/system?pkipath=DIR: list, a domain on a qcow2
# overlay pulled with "blockpull --wait" (the overlay checked with
# qemu-img), "blockjob --info", a block-job event, a Nova-style
# rebase-and-poll in Python. Then each refused case, with the error each
# client gets and the reason the daemon logs: a client certificate of
# another CA, an expired one, one not on tls_allowed_dn_list, a revoked
# one, a server certificate for another host name (and no_verify=1 that
# lets that one through); and a daemon whose own certificate is expired
# does not start.
#
# Needs root, QEMU, certtool, libvirt-clients and python3-libvirt
# (scripts/install-deps.sh): a missing one is a failure, never a skip.
# Everything it starts is stopped on exit, also on failure.
#
#   $LIBVIRTD, $VIRSH_OURS: the built daemon and virsh
#   $DEBIAN_VIRSH: Debian's virsh (default /usr/bin/virsh)
#   $DEBIAN_PYTHON: the Python of python3-libvirt (default /usr/bin/python3)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

top_builddir=${abs_top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
LIBVIRTD=${LIBVIRTD:-$top_builddir/src/remote/libvirtd}
OURS=${VIRSH_OURS:-$top_builddir/tools/virsh}
DEBIAN=${DEBIAN_VIRSH:-/usr/bin/virsh}
PYTHON=${DEBIAN_PYTHON:-/usr/bin/python3}
HANG=240    # seconds: a hang catcher, not a timing

umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/remotetls.XXXXXX") || exit 1
chmod 0755 "$T"
PKI=$T/pki
IMG=$T/images
NAME=remotetls
DPID=
BGPIDS=
unset LIBVIRT_DEFAULT_URI VIRSH_DEFAULT_CONNECT_URI LIBVIRT_DEBUG

. "$top_srcdir/tests/tapfuncs.sh"
. "$top_srcdir/tests/remotefuncs.sh"

# The daemon stopped, its exit status in $DSTATUS.
stop_daemon() {
    [ -n "$DPID" ] || return 0
    stop_pid "$DPID" 30
    DSTATUS=$?
    DPID=
}

cleanup() {
    for p in $BGPIDS; do
        kill -9 "$p" 2>/dev/null
    done
    stop_daemon
    kill_test_procs
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

bail_diag() {
    echo "# the daemon's output:"
    sed 's/^/#   /' "$T/libvirtd.log" 2>/dev/null | tail -n 40
}

log_has() { grep -qF -- "$1" "$T/libvirtd.log"; }

# uri PKISET [PARAMS]: the URI of the daemon with the client files of
# $PKI/PKISET.
uri() {
    echo "qemu+tls://${HOST:-127.0.0.1}:$PORT/system?pkipath=$PKI/$1${2:+&$2}"
}

# tls_virsh ours|debian PKISET [PARAMS] -- ARGS...: a virsh; stdout in
# $T/out, stderr in $T/err, exit status in $RC.
tls_virsh() {
    which=$1 set=$2 params=$3
    shift 4
    if [ "$which" = ours ]; then bin=$OURS; else bin=$DEBIAN; fi
    virsh_with "$bin" "$(uri "$set" "$params")" "$@"
}
ours() { tls_virsh ours client "" -- "$@"; }
debian() { tls_virsh debian client "" -- "$@"; }

# start_daemon NAME [CONFIG-LINES...]: the daemon with the server
# certificates of $PKI/NAME, logging warnings to $T/libvirtd.log.
start_daemon() {
    set=$1
    shift
    PORT=$(free_port)
    {
        echo "unix_sock_dir = \"$T/sock\""
        echo "qemu_root = \"$T/root\""
        echo "log_level = 3"
        echo "listen_addr = \"127.0.0.1\""
        echo "tls_port = \"$PORT\""
        echo "ca_file = \"$PKI/$set/cacert.pem\""
        echo "cert_file = \"$PKI/$set/servercert.pem\""
        echo "key_file = \"$PKI/$set/serverkey.pem\""
        echo "crl_file = \"$PKI/server/cacrl.pem\""
        echo 'tls_allowed_dn_list = ["O=libvirt-bp tests,CN=client", "O=libvirt-bp tests,CN=revoked"]'
        for l in "$@"; do echo "$l"; done
    } >"$T/libvirtd.conf"
    "$LIBVIRTD" --listen --config "$T/libvirtd.conf" --pid-file "$T/libvirtd.pid" \
        </dev/null >"$T/libvirtd.log" 2>&1 &
    DPID=$!
    listening() {
        kill -0 "$DPID" 2>/dev/null || return 0
        [ -S "$T/sock/libvirt-sock" ] &&
            awk -v p="$(printf '%04X' "$PORT")" '$4 == "0A" && $2 ~ (":" p "$") { f = 1 } END { exit !f }' /proc/net/tcp
    }
    wait_for $HANG listening
    kill -0 "$DPID" 2>/dev/null
}

# ------------------------------------------------------------------
# What the test needs
# ------------------------------------------------------------------

RC=0
: >"$T/out"
: >"$T/err"
check "Debian's virsh is installed (libvirt-clients)" test -x "$DEBIAN"
check "python3-libvirt is installed" eval '"$PYTHON" -c "import libvirt" >"$T/out" 2>"$T/err"'
check "our libvirtd and virsh are built" eval 'test -x "$LIBVIRTD" && test -x "$OURS"'
check "certtool and QEMU are installed" \
    eval 'command -v certtool >/dev/null && command -v qemu-system-x86_64 >/dev/null && command -v qemu-img >/dev/null'
[ "$(id -u)" = 0 ]
RC=$?
check "running as root" status 0
[ $n -eq 5 ] && [ "$RC" -eq 0 ] || bail

sh "$top_srcdir/tests/tlscerts.sh" "$PKI" >"$T/out" 2>"$T/err"
RC=$?
check "tlscerts.sh makes the certificates with certtool" status 0
[ "$RC" -eq 0 ] || bail
mkdir -m 0700 "$T/root"
mkdir -m 0755 "$T/sock" "$IMG"

# ------------------------------------------------------------------
# A daemon whose own certificate is expired does not start
# ------------------------------------------------------------------

start_daemon server-expired
wait "$DPID"
RC=$?
DPID=
cp "$T/libvirtd.log" "$T/err"
check "a daemon with an expired certificate exits 1 and says why" \
    eval 'status 1 && err_has "cannot set up TLS: the server certificate '"'$PKI/server-expired/servercert.pem'"' expired on 2020-01-01 00:00:00 UTC"'

# ------------------------------------------------------------------
# The peers, accepted
# ------------------------------------------------------------------

start_daemon server
RC=$?
check "libvirtd --listen listens on 127.0.0.1:$PORT" status 0
[ "$RC" -eq 0 ] || bail

for who in ours debian; do
    tls_virsh $who client "" -- uri
    check "$who virsh connects over qemu+tls:// (uri)" \
        eval 'status 0 && out_has "^qemu\+tls://127\.0\.0\.1:$PORT/system"'
    tls_virsh $who client "" -- list --all
    check "$who virsh: list --all" \
        eval 'status 0 && [ "$(head -n 2 "$T/out")" = " Id   Name   State
--------------------" ]'
done
HOST=localhost
debian list --all
check "Debian's virsh by the name localhost (the certificate's DNS name)" status 0
HOST=

RC=0
check "qemu-img makes a raw base and qcow2 overlays" \
    make_images "$IMG" 32M 8M overlay1.qcow2 overlay2.qcow2 overlay3.qcow2
for i in 1 2 3; do
    domain_xml "$NAME$i" "$IMG/overlay$i.qcow2" >"$T/dom$i.xml"
done

ours create "$T/dom1.xml"
check "our virsh: create a domain over TLS" eval 'status 0 && out_has "created"'
debian create "$T/dom2.xml"
check "Debian's virsh: create a domain over TLS" eval 'status 0 && out_has "created"'
[ "$RC" -eq 0 ] || bail

debian list
check "Debian's virsh lists both running" \
    eval 'status 0 && out_has "${NAME}1 +running" && out_has "${NAME}2 +running"'

# A listener of block-job events (Debian's virsh), connected before the pulls.
daemon_tls_clients() {
    awk -v p="$(printf '%04X' "$PORT")" '$4 == "01" && $2 ~ (":" p "$") { c++ } END { print c + 0 }' /proc/net/tcp
}
timeout -k 5 $HANG "$DEBIAN" -c "$(uri client)" event --event block-job --loop --timeout $HANG \
    >"$T/ev.out" 2>"$T/ev.err" &
EV=$!
BGPIDS=$EV
listener_connected() { [ "$(daemon_tls_clients)" -ge 1 ]; }
wait_for $HANG listener_connected

ours blockpull "${NAME}1" vda --wait --verbose
check "our virsh: blockpull --wait over TLS says Pull complete" \
    eval 'status 0 && out_has "^Pull complete$"'
debian blockpull "${NAME}2" vda --wait --verbose
check "Debian's virsh: blockpull --wait over TLS says Pull complete" \
    eval 'status 0 && out_has "^Pull complete$" && err_has "Block Pull: [100 %]"'
for i in 1 2; do
    RC=0
    backing_of "$IMG/overlay$i.qcow2" >"$T/out"
    : >"$T/err"
    check "overlay $i has no backing file after the pull (qemu-img info -U)" \
        eval '[ ! -s "$T/out" ]'
done
debian blockjob "${NAME}2" vda --info
check "Debian's virsh: blockjob --info after the pull: no job" \
    eval 'status 0 && out_has "^No current block job for vda"'

ev_heard() { [ "$(grep -c "completed" "$T/ev.out")" -ge 2 ]; }
wait_for 60 ev_heard
kill -INT "$EV" 2>/dev/null
wait "$EV"
BGPIDS=
cp "$T/ev.out" "$T/out"
cp "$T/ev.err" "$T/err"
RC=0
check "Debian's virsh event over TLS hears both pulls COMPLETED" \
    eval 'out_has "^event .block-job. for domain .${NAME}1.: Block Pull for $IMG/overlay1.qcow2 completed$" &&
          out_has "^event .block-job. for domain .${NAME}2.: Block Pull for $IMG/overlay2.qcow2 completed$"'

ours create "$T/dom3.xml"
timeout -k 5 $HANG "$PYTHON" "$top_srcdir/tests/remotepythontest.py" \
    "$(uri client)" "${NAME}3" vda "$IMG/overlay3.qcow2" >"$T/out" 2>"$T/err"
RC=$?
check "python3-libvirt over TLS: blockRebase, blockJobInfo polled, BLOCK_JOB event" \
    eval 'status 0 && out_has "^completed: block job event COMPLETED, overlay standalone$"'

for i in 1 2 3; do
    ours destroy "${NAME}$i"
done
ours list --all
check "the domains are gone" eval 'status 0 && ! out_has "$NAME"'
# With QEMU gone (its caches written), the pulled overlays alone hold
# the base's bytes.
for i in 1 2; do
    RC=0
    qemu-io -r -f qcow2 -c "read -P 0x5a 0 8M" "$IMG/overlay$i.qcow2" >"$T/out" 2>"$T/err"
    RC=$?
    check "overlay $i holds the base's bytes on its own" \
        eval 'status 0 && ! out_has "Pattern verification failed" && [ -z "$(backing_of "$IMG/overlay$i.qcow2")" ]'
done

# ------------------------------------------------------------------
# Refusals: the client's error, the daemon's reason
# ------------------------------------------------------------------

# refused SET PARAMS DAEMON-REASON DESCRIPTION: both virshes are refused,
# each with its error, and the daemon logs the reason and the client.
refused() {
    set=$1 params=$2 reason=$3 desc=$4
    before=$(wc -l <"$T/libvirtd.log")
    tls_virsh ours "$set" "$params" -- list
    check "$desc: our virsh is refused, saying the server refused it" \
        eval 'status 1 && err_has "server verification (of our certificate or IP address) failed: the server '"'127.0.0.1:$PORT'"' closed the connection"'
    tls_virsh debian "$set" "$params" -- list
    check "$desc: Debian's virsh is refused (Unable to read TLS confirmation)" \
        eval 'status 1 && err_has "Unable to read TLS confirmation"'
    RC=0
    tail -n +"$((before + 1))" "$T/libvirtd.log" >"$T/err"
    : >"$T/out"
    check "$desc: the daemon logs why, with the client's address" \
        eval 'err_has "refusing TLS client '"'127.0.0.1;"'" && err_has "$reason"'
}

# A client that skips its own checks (no_sanity=1, which libvirt's
# clients have) shows the daemon the certificate its checks would have
# refused.
refused client-wrongca no_sanity=1 \
    "(O=libvirt-bp tests,CN=client) is not signed by a trusted CA (CA file '$PKI/server/cacert.pem')" \
    "a client certificate of another CA"
refused client-expired no_sanity=1 \
    "(O=libvirt-bp tests,CN=client) expired on 2020-01-01 00:00:00 UTC" \
    "an expired client certificate"
refused client-intruder "" \
    "Distinguished Name 'O=libvirt-bp tests,CN=intruder' is not on tls_allowed_dn_list" \
    "a client not on tls_allowed_dn_list"
refused client-revoked "" \
    "(O=libvirt-bp tests,CN=revoked) has been revoked" \
    "a revoked client certificate"

# Without no_sanity=1 the clients refuse their own bad certificate.
tls_virsh ours client-expired "" -- list
check "our virsh refuses to use its expired certificate, naming it" \
    eval 'status 1 && err_has "the client certificate '"'$PKI/client-expired/clientcert.pem'"' expired on 2020-01-01 00:00:00 UTC"'
tls_virsh debian client-expired "" -- list
check "Debian's virsh refuses it too" \
    eval 'status 1 && err_has "client-expired/clientcert.pem has expired"'

# A client that trusts another CA refuses the server.
tls_virsh ours client-otherca no_sanity=1 -- list
check "a client trusting another CA refuses the server, saying so" \
    eval 'status 1 && err_has "the server certificate of '"'127.0.0.1:$PORT'"' (O=libvirt-bp tests,CN=localhost) is not signed by a trusted CA (CA file '"'$PKI/client-otherca/cacert.pem'"')"'

# A server certificate for another host.
stop_daemon
start_daemon server-otherhost
RC=$?
check "a daemon with a certificate for other.example starts" status 0
tls_virsh ours client "" -- list
check "our virsh refuses a server certificate for another host name" \
    eval 'status 1 && err_has "the server certificate of '"'127.0.0.1:$PORT'"' (O=libvirt-bp tests,CN=other.example) does not match host name '"'127.0.0.1'"'"'
tls_virsh debian client "" -- list
check "Debian's virsh refuses it too" \
    eval 'status 1 && err_has "Certificate" && err_has "does not match the hostname 127.0.0.1"'
tls_virsh ours client no_verify=1 -- list
check "no_verify=1 lets our virsh through" eval 'status 0 && out_has "^ Id +Name +State$"'
tls_virsh debian client no_verify=1 -- list
check "no_verify=1 lets Debian's virsh through" eval 'status 0 && out_has "^ Id +Name +State$"'

RC=0
: >"$T/out"
stop_daemon
cp "$T/libvirtd.log" "$T/err"
RC=$DSTATUS
check "libvirtd exits 0 on SIGTERM" status 0

finish
