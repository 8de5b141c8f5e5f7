#!/bin/sh
# remotepeertest.sh: our client against a real libvirtd, emitting TAP.
# Debian's libvirtd (libvirt-daemon, libvirt-daemon-driver-qemu, 9.0)
# runs on a temporary config whose sockets are in a temporary directory
# (virtlogd started first unless one runs already); Debian's virsh starts
# a transient domain on it; our virsh (tools/virsh built here, through our
# remote driver) lists it, shows its XML, info and state, hears its life
# cycle events, and starts and destroys a domain of its own. Debian's
# daemons this test started are stopped on exit, also on failure.
#
# Needs root, QEMU, and the packages and accounts scripts/install-deps.sh
# sets up (libvirt-daemon wants group kvm, user libvirt-qemu and
# /var/log/libvirt/qemu, which libvirt-daemon-system would make): a
# missing one is a failure, never a skip.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

top_builddir=${abs_top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
VIRSH=${VIRSH:-$top_builddir/tools/virsh}
DEBIAN_VIRSH=${DEBIAN_VIRSH:-/usr/bin/virsh}
LIBVIRTD=/usr/sbin/libvirtd
VIRTLOGD=/usr/sbin/virtlogd
HANG=120    # seconds: a hang catcher, not a timing

umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/remotepeer.XXXXXX") || exit 1
chmod 0755 "$T"
SOCK=$T/sock/libvirt-sock
URI="qemu+unix:///system?socket=$SOCK"
NAME=remotepeer$$
n=0
LOGD_PID=
DAEMON_PID=
EVPID=
unset LIBVIRT_DEFAULT_URI VIRSH_DEFAULT_CONNECT_URI

# stop_pid PID: SIGTERM, then SIGKILL after 30 s.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$1" 2>/dev/null
}

cleanup() {
    [ -n "$EVPID" ] && kill -9 "$EVPID" 2>/dev/null
    if [ -n "$DAEMON_PID" ]; then
        for d in "$NAME" "${NAME}b"; do
            timeout -k 5 30 "$DEBIAN_VIRSH" -c "$URI" destroy "$d" >/dev/null 2>&1
        done
        stop_pid "$DAEMON_PID"
    fi
    [ -n "$LOGD_PID" ] && stop_pid "$LOGD_PID"
    # Any QEMU of ours left (its name is unique to this run).
    for d in /proc/[0-9]*; do
        if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "guest=$NAME"; then
            kill -9 "${d#/proc/}" 2>/dev/null
        fi
    done
    # And any daemon started here that its pid file did not name (every
    # one was given a path under $T on its command line).
    for d in /proc/[0-9]*; do
        if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "$T/"; then
            kill -9 "${d#/proc/}" 2>/dev/null
        fi
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

run() {
    timeout -k 5 $HANG "$VIRSH" -c "$URI" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    echo "#   exit status: $RC"
    sed 's/^/#   stdout: /' "$T/out" 2>/dev/null
    sed 's/^/#   stderr: /' "$T/err" 2>/dev/null
}

check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}

bail() {
    echo "1..$n"
    exit 1
}

out_has() { grep -qE -- "$1" "$T/out"; }
status() { [ "$RC" -eq "$1" ]; }

wait_for() {
    limit=$(($1 * 10))
    shift
    i=0
    while ! "$@"; do
        i=$((i + 1))
        [ $i -ge $limit ] && return 1
        sleep 0.1
    done
}

# ------------------------------------------------------------------
# Debian's libvirtd
# ------------------------------------------------------------------

RC=1
: >"$T/out"
: >"$T/err"
check "our virsh is built" test -x "$VIRSH"
check "Debian's libvirtd, virtlogd and virsh are installed" \
    eval '[ -x "$LIBVIRTD" ] && [ -x "$VIRTLOGD" ] && [ -x "$DEBIAN_VIRSH" ] &&
          [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ]'
check "the accounts libvirt-daemon-system would make exist (scripts/install-deps.sh)" \
    eval 'getent group kvm >/dev/null && getent passwd libvirt-qemu >/dev/null'
[ "$(id -u)" = 0 ]
RC=$?
check "running as root" status 0
[ $n -eq 4 ] && [ -x "$VIRSH" ] && [ -x "$LIBVIRTD" ] && [ "$RC" -eq 0 ] &&
    getent passwd libvirt-qemu >/dev/null || bail

# Debian's daemons share system paths (/run/libvirt, virtlogd's socket,
# the network driver's pid file): one run of this test at a time on the
# host, another checkout's included.
LOCK=/run/lock/libvirt-bp-remotepeertest.lock
[ -d /run/lock ] || LOCK=/tmp/libvirt-bp-remotepeertest.lock
exec 9>"$LOCK"
flock -w $HANG 9
RC=$?
check "no other run of this test on the host (lock $LOCK)" status 0
[ "$RC" -eq 0 ] || bail
# Debian's, not ours (tests run the built one beside this test).
debian_libvirtd_running() {
    for p in $(pgrep -x libvirtd); do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$LIBVIRTD" ] && return 0
    done
    return 1
}
if debian_libvirtd_running; then
    RC=1
    pgrep -a -x libvirtd >"$T/out"
    : >"$T/err"
    notok "no Debian libvirtd runs already (this test starts its own)"
    bail
fi

mkdir -p /var/log/libvirt/qemu
mkdir -m 0755 "$T/sock"
if ! pgrep -x virtlogd >/dev/null; then
    "$VIRTLOGD" -d -p "$T/virtlogd.pid"
    RC=$?
    LOGD_PID=$(cat "$T/virtlogd.pid" 2>/dev/null)
    check "virtlogd -d starts" eval 'status 0 && [ -n "$LOGD_PID" ]'
fi
cat >"$T/libvirtd.conf" <<EOF
# remotepeertest.sh's libvirtd: sockets of its own
unix_sock_dir = "$T/sock"
EOF
"$LIBVIRTD" -d -f "$T/libvirtd.conf" -p "$T/libvirtd.pid" >"$T/out" 2>"$T/err"
RC=$?
DAEMON_PID=$(cat "$T/libvirtd.pid" 2>/dev/null)
daemon_answers() {
    [ -S "$SOCK" ] && timeout -k 5 30 "$DEBIAN_VIRSH" -c "$URI" uri >/dev/null 2>&1
}
[ "$RC" -eq 0 ] && wait_for $HANG daemon_answers
RC=$?
check "Debian's libvirtd -d starts on a temporary config and listens" \
    eval 'status 0 && [ -n "$DAEMON_PID" ]'
[ "$RC" -eq 0 ] || bail

cat >"$T/dom.xml" <<EOF
<domain type='qemu'>
  <name>$NAME</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
</domain>
EOF
sed "s/<name>$NAME</<name>${NAME}b</" "$T/dom.xml" >"$T/domb.xml"
timeout -k 5 $HANG "$DEBIAN_VIRSH" -c "$URI" create "$T/dom.xml" >"$T/out" 2>"$T/err"
RC=$?
check "Debian's virsh starts a transient domain on it" status 0

# ------------------------------------------------------------------
# Our virsh on it
# ------------------------------------------------------------------

run uri
check "our virsh connects (qemu+unix:///system?socket=PATH)" status 0
[ "$RC" -eq 0 ] || bail

run version
check "version: libvirt's daemon runs QEMU" \
    eval 'status 0 && out_has "^Running hypervisor: QEMU [0-9]"'

run list --all
check "list --all shows the domain running" \
    eval 'status 0 && out_has "^ [0-9]+ +$NAME +running$"'

run dumpxml "$NAME"
check "dumpxml shows libvirt's live XML" \
    eval 'status 0 && out_has "^<domain type=.qemu. id=.[0-9]+.>$" && out_has "<name>$NAME</name>" &&
          out_has "<uuid>[0-9a-f-]{36}</uuid>"'

run dominfo "$NAME"
check "dominfo" \
    eval 'status 0 && out_has "^Name: +$NAME$" && out_has "^State: +running$" && out_has "^Max memory: +65536 KiB$"'

run domstate --reason "$NAME"
check "domstate --reason" eval 'status 0 && out_has "^running \(booted\)$"'

run -r list
check "a read-only connection lists it too" eval 'status 0 && out_has " $NAME +running$"'

run -r destroy "$NAME"
check "a read-only connection may not destroy it" status 1

# Life cycle events from libvirt's daemon: listening once the first event
# (our own start of a second domain) arrived.
timeout -k 5 $HANG "$VIRSH" -c "$URI" event --event lifecycle --loop --timeout $HANG \
    >"$T/ev.out" 2>"$T/ev.err" &
EVPID=$!
listener_connected() {
    [ "$(awk -v s="$SOCK" '$6 == "03" && $8 == s { c++ } END { print c + 0 }' /proc/net/unix)" -ge 1 ]
}
wait_for $HANG listener_connected
run create "$T/domb.xml"
check "our virsh starts a domain of its own" \
    eval 'status 0 && out_has "^Domain '"'${NAME}b'"' created from "'
ev_has() { grep -q "$1" "$T/ev.out"; }
wait_for $HANG ev_has "'${NAME}b': Started"
RC=$?
cp "$T/ev.out" "$T/out"
cp "$T/ev.err" "$T/err"
check "event --loop hears it start" \
    eval 'status 0 && out_has "^event .lifecycle. for domain .${NAME}b.: Started Booted$"'

run destroy "${NAME}b"
check "our virsh destroys it" eval 'status 0 && out_has "^Domain '"'${NAME}b'"' destroyed$"'
timeout -k 5 $HANG "$DEBIAN_VIRSH" -c "$URI" destroy "$NAME" >/dev/null 2>&1
wait_for $HANG ev_has "'$NAME': Stopped"
RC=$?
kill -INT "$EVPID" 2>/dev/null
wait "$EVPID"
EVPID=
cp "$T/ev.out" "$T/out"
cp "$T/ev.err" "$T/err"
check "and hears both stop, in order" \
    eval 'status 0 && out_has "^event .lifecycle. for domain .${NAME}b.: Stopped Destroyed$" &&
          out_has "^event .lifecycle. for domain .$NAME.: Stopped Destroyed$" &&
          [ "$(grep -n Stopped "$T/out" | head -n 1 | grep -c "${NAME}b")" -eq 1 ]'

run list --all
check "list --all: both gone (transient)" eval 'status 0 && ! out_has "$NAME"'

echo "1..$n"
