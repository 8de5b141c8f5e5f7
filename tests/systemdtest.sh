#!/bin/sh
# systemdtest.sh: libvirtd under systemd, emitting TAP: socket activation
# by systemd's own systemd-socket-activate (the sockets exist before the
# daemon; the first client's connection starts it; virsh works through
# them; the read-only one is read-only), each socket matched by its
# FileDescriptorName or, without names, by its address; READY=1 and
# STOPPING=1 sent to NOTIFY_SOCKET (a test listener, a path and an
# abstract name); the idle exit of an activated daemon; the refusals (the
# TLS socket without a TLS context, a socket that is none of the daemon's,
# two for one socket, LISTEN_FDS that do not parse); LISTEN_PID of another process ignored.
# The built units: their sockets, modes and binary are the daemon's.
#
# Whatever way the script ends, every process it started is killed (the
# activators and daemons by pid, the notification listeners by pid).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
LIBVIRTD=$builddir/src/remote/libvirtd
VIRSH=$builddir/tools/virsh

T=$(mktemp -d "${TMPDIR:-/tmp}/systemdtest.XXXXXX") || exit 1
PIDS=
kill_all() {
    for p in $PIDS; do
        kill -KILL "$p" 2>/dev/null
    done
    wait 2>/dev/null
}
trap 'kill_all; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
unset LIBVIRT_DEBUG LIBVIRT_LOG_FILE LIBVIRT_DEFAULT_URI NOTIFY_SOCKET LISTEN_PID LISTEN_FDS LISTEN_FDNAMES
LC_ALL=C
export LC_ALL

. "$srcdir/tests/tapfuncs.sh"
gone() { ! kill -0 "$1" 2>/dev/null; }
exe_is() { [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$2" ]; }
has_line() { grep -qx -- "$2" "$1" 2>/dev/null; }

for prog in systemd-socket-activate systemd-analyze python3; do
    if ! command -v $prog >/dev/null; then
        notok "$prog is installed (Debian packages systemd, python3)"
        finish
    fi
done
ACTIVATE=$(readlink -f "$(command -v systemd-socket-activate)")

# listen NAME ADDRESS: a datagram listener on ADDRESS (a path, or @name
# for an abstract socket) writing each message as a line to $T/NAME.log.
listen() {
    python3 -c '
import socket, sys
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(sys.argv[2] + ".ready", "w").close()
with open(sys.argv[2], "a") as out:
    while True:
        out.write(s.recv(4096).decode() + "\n")
        out.flush()
' "$2" "$T/$1.log" &
    PIDS="$PIDS $!"
    wait_for 10 test -e "$T/$1.log.ready"
}

# conf NAME: sockets in $T/NAME.run, QEMU root $T/NAME.qemu.
conf() {
    mkdir -p "$T/$1.run"
    printf 'unix_sock_dir = "%s"\nqemu_root = "%s"\n' "$T/$1.run" "$T/$1.qemu" >"$T/$1.conf"
}

# virsh SOCKET ARGS...: our virsh on SOCKET; out, err, $RC.
virsh() {
    s=$1
    shift
    "$VIRSH" -c "qemu+unix:///system?socket=$s" "$@" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
}

cat >"$T/dom.xml" <<EOF
<domain type='qemu'>
  <name>sd1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
EOF

# ------------------------------------------------------------------
# Activation, sockets named as the units name them
# ------------------------------------------------------------------

conf a
listen a "$T/notify-a"
RW=$T/a.run/libvirt-sock
RO=$T/a.run/libvirt-sock-ro
"$ACTIVATE" -l "$RW" -l "$RO" --fdname=libvirtd.socket:libvirtd-ro.socket \
    -E NOTIFY_SOCKET="$T/notify-a" -- \
    "$LIBVIRTD" -f "$T/a.conf" -p "$T/a.pid" >"$T/a.out" 2>"$T/a.err" &
APID=$!
PIDS="$PIDS $APID"
check "the activator creates both sockets before any daemon runs" \
    wait_for 10 eval '[ -S "$RW" ] && [ -S "$RO" ]'
check "no daemon yet: pid $APID is still systemd-socket-activate" exe_is $APID "$ACTIVATE"
check "no READY=1 yet" eval '! has_line "$T/a.log" READY=1'

virsh "$RW" uri
check "the first client's connection starts the daemon, and is served (virsh uri)" \
    eval '[ $RC -eq 0 ] && grep -q "^qemu+unix:///system" "$T/out"'
[ $RC -eq 0 ] || { diag "$T/err"; diag "$T/a.err"; }
check "the daemon took the activator's pid (it exec'd libvirtd)" exe_is $APID "$LIBVIRTD"
check "READY=1 reached NOTIFY_SOCKET" wait_for 10 has_line "$T/a.log" READY=1
virsh "$RW" define "$T/dom.xml"
check "the read-write socket (libvirtd.socket) is read-write: define" \
    eval '[ $RC -eq 0 ] && grep -q "Domain .sd1. defined" "$T/out"'
virsh "$RO" undefine sd1
check "the read-only socket (libvirtd-ro.socket) is read-only: undefine refused" \
    eval '[ $RC -ne 0 ] && grep -qi "read-only\|read only" "$T/err"'
virsh "$RO" list --all
check "... and answers what a read-only client may ask: list" \
    eval '[ $RC -eq 0 ] && grep -q " sd1 " "$T/out"'
virsh "$RW" undefine sd1
kill -TERM $APID
if wait_for 20 gone $APID; then
    wait $APID
    check "SIGTERM: the activated daemon exits 0" [ $? -eq 0 ]
else
    notok "SIGTERM: the activated daemon exits"
fi
check "STOPPING=1 reached NOTIFY_SOCKET, after READY=1" \
    eval '[ "$(tr "\n" " " <"$T/a.log")" = "READY=1 STOPPING=1 " ]'
check "the daemon did not make a socket of its own (the activator's stay, as systemd's do)" \
    eval '[ -S "$RW" ] && [ -S "$RO" ] && [ "$(ls "$T/a.run" | wc -l)" -eq 2 ]'
check "the daemon wrote no warning or error (only the activator's lines)" \
    eval '! grep -q "^libvirtd" "$T/a.err"'
grep "^libvirtd" "$T/a.err" >"$T/a.own" && diag "$T/a.own"

# ------------------------------------------------------------------
# Activation without names (matched by address), abstract NOTIFY_SOCKET,
# the idle exit
# ------------------------------------------------------------------

conf b
NAME=libvirt-bp-systemdtest-$$
listen b "@$NAME"
RW=$T/b.run/libvirt-sock
RO=$T/b.run/libvirt-sock-ro
# The read-only one first: the order says nothing.
"$ACTIVATE" -l "$RO" -l "$RW" -E NOTIFY_SOCKET="@$NAME" -- \
    "$LIBVIRTD" -f "$T/b.conf" -p "$T/b.pid" --timeout 2 >"$T/b.out" 2>"$T/b.err" &
BPID=$!
PIDS="$PIDS $BPID"
wait_for 10 eval '[ -S "$RW" ] && [ -S "$RO" ]'
virsh "$RO" define "$T/dom.xml"
check "without names, the socket bound to libvirt-sock-ro is read-only" \
    eval '[ $RC -ne 0 ] && grep -qi "read-only\|read only" "$T/err"'
virsh "$RW" uri
check "... and the one bound to libvirt-sock read-write" eval '[ $RC -eq 0 ]'
check "READY=1 reached the abstract NOTIFY_SOCKET @$NAME" wait_for 10 has_line "$T/b.log" READY=1
if wait_for 20 gone $BPID; then
    wait $BPID
    check "--timeout 2: the activated daemon exits by itself when idle, status 0" [ $? -eq 0 ]
else
    notok "--timeout 2: the activated daemon exits by itself when idle"
fi
check "STOPPING=1 at the idle exit" wait_for 5 has_line "$T/b.log" STOPPING=1
check "the daemon wrote no warning or error (only the activator's lines)" \
    eval '! grep -q "^libvirtd" "$T/b.err"'
grep "^libvirtd" "$T/b.err" >"$T/b.own" && diag "$T/b.own"

# ------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------

# activate_fail NAME ACTIVATOR-ARGS...: the daemon started by a
# connection to $T/NAME.run/libvirt-sock; its exit status in $RC.
activate_fail() {
    c=$1
    shift
    conf "$c"
    "$ACTIVATE" "$@" -- "$LIBVIRTD" -f "$T/$c.conf" -p "$T/$c.pid" >"$T/$c.out" 2>"$T/$c.err" &
    p=$!
    PIDS="$PIDS $p"
    wait_for 10 test -S "$T/$c.run/libvirt-sock"
    virsh "$T/$c.run/libvirt-sock" uri
    if wait_for 20 gone $p; then
        wait $p
        RC=$?
    else
        RC=
    fi
}

# A free port on loopback (the activator binds it).
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
activate_fail tls -l "$T/tls.run/libvirt-sock" -l "127.0.0.1:$PORT" \
    --fdname=libvirtd.socket:libvirtd-tls.socket
check "the TLS socket passed to a daemon without TLS context: exit 1, saying so" \
    eval '[ "$RC" = 1 ] && grep -q "systemd passed the TLS socket (libvirtd-tls.socket, descriptor 4) but the daemon has no TLS context" "$T/tls.err"'
diag "$T/tls.err"

activate_fail other -l "$T/other.run/libvirt-sock" -l "$T/other.sock"
check "a socket that is none of the daemon's: exit 1, naming it" \
    eval '[ "$RC" = 1 ] && grep -q "descriptor 4 .*bound to .$T/other.sock.*none of this daemon.s sockets" "$T/other.err"'
diag "$T/other.err"

activate_fail dup -l "$T/dup.run/libvirt-sock" -l "$T/dup.sock" \
    --fdname=libvirtd.socket:libvirtd.socket
check "two sockets named libvirtd.socket: exit 1, saying so" \
    eval '[ "$RC" = 1 ] && grep -q "systemd passed a second socket for libvirtd.socket (descriptor 4)" "$T/dup.err"'
diag "$T/dup.err"

conf bad
sh -c 'LISTEN_PID=$$ LISTEN_FDS=two exec "$@"' sh \
    "$LIBVIRTD" -f "$T/bad.conf" -p "$T/bad.pid" >"$T/bad.out" 2>"$T/bad.err" </dev/null
RC=$?
check "LISTEN_FDS that is no number: exit 1, naming it" \
    eval '[ $RC -eq 1 ] && grep -q "LISTEN_FDS is not a number.*.two." "$T/bad.err"'
diag "$T/bad.err"

# LISTEN_PID of another process (passed on by mistake): no activation,
# the daemon makes its own sockets.
conf own
LISTEN_PID=1 LISTEN_FDS=2 "$LIBVIRTD" -f "$T/own.conf" -p "$T/own.pid" >"$T/own.out" 2>"$T/own.err" &
OPID=$!
PIDS="$PIDS $OPID"
check "LISTEN_PID of another process: the daemon makes its own sockets" \
    wait_for 20 eval '[ -S "$T/own.run/libvirt-sock" ] && [ -S "$T/own.run/libvirt-sock-ro" ]'
virsh "$T/own.run/libvirt-sock" uri
check "... and serves them" eval '[ $RC -eq 0 ]'
kill -TERM $OPID
wait_for 20 gone $OPID

# ------------------------------------------------------------------
# The built units say what the daemon does
# ------------------------------------------------------------------

eval "$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$builddir" -f Makefile -f - systemdtest-dirs <<'EOF'
systemdtest-dirs:
	@echo "sbindir='$(sbindir)'; runstatedir='$(runstatedir)'"
EOF
)"
U=$builddir/src/remote
key() { grep -x "$2=$3" "$U/$1" >/dev/null; }
check "libvirtd.service: Type=notify" key libvirtd.service Type notify
check "libvirtd.service: runs $sbindir/libvirtd with --timeout 120" \
    eval 'key libvirtd.service ExecStart "$sbindir/libvirtd \$LIBVIRTD_ARGS" &&
          key libvirtd.service Environment "LIBVIRTD_ARGS=\"--timeout 120\""'
check "libvirtd.socket: $runstatedir/libvirt-bp/libvirt-sock, mode 0700 (unix_sock_rw_perms)" \
    eval 'key libvirtd.socket ListenStream "$runstatedir/libvirt-bp/libvirt-sock" && key libvirtd.socket SocketMode 0700'
check "libvirtd-ro.socket: $runstatedir/libvirt-bp/libvirt-sock-ro, mode 0777 (unix_sock_ro_perms)" \
    eval 'key libvirtd-ro.socket ListenStream "$runstatedir/libvirt-bp/libvirt-sock-ro" && key libvirtd-ro.socket SocketMode 0777'
check "libvirtd-tls.socket: port 16514" key libvirtd-tls.socket ListenStream 16514
# The daemon's defaults agree (a root daemon, no file: the built-in ones).
"$LIBVIRTD" --help >"$T/help" 2>&1
check "libvirtd's default pid file is under $runstatedir/libvirt-bp, as the units' sockets" \
    grep -qF "$runstatedir/libvirt-bp/libvirtd.pid" "$T/help"
finish
