#!/bin/sh
# remotevirshtest.sh: Debian's own libvirt client against our daemon,
# emitting TAP. The built libvirtd serves a temporary root on a socket of
# its own; Debian's virsh (libvirt-clients, libvirt 9.0) reaches it with
# qemu+unix:///system?socket=PATH, lists, defines and starts a domain on a
# qcow2 overlay over a raw base, shows its XML, pulls its disk with
# "blockpull --wait --verbose", shows "blockjob --info" of a
# bandwidth-limited pull and hears its BLOCK_JOB events with
# "virsh event"; then tests/remotepythontest.py (python3-libvirt) does a
# Nova-style rebase-and-poll on a third domain.
#
# Needs root, QEMU, libvirt-clients and python3-libvirt
# (scripts/install-deps.sh): a missing one is a failure, never a skip. The
# daemon, every QEMU and every virsh this test starts are stopped on exit,
# also on failure.
#
#   $LIBVIRTD: the daemon (default $abs_top_builddir/src/remote/libvirtd)
#   $DEBIAN_VIRSH: the client (default /usr/bin/virsh)
#   $DEBIAN_PYTHON: the Python python3-libvirt is for (default /usr/bin/python3)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

top_builddir=${abs_top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
LIBVIRTD=${LIBVIRTD:-$top_builddir/src/remote/libvirtd}
VIRSH=${DEBIAN_VIRSH:-/usr/bin/virsh}
PYTHON=${DEBIAN_PYTHON:-/usr/bin/python3}   # the one python3-libvirt is for
HANG=240    # seconds: a hang catcher, not a timing

umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/remotevirsh.XXXXXX") || exit 1
chmod 0755 "$T"
ROOT=$T/root
SOCK=$T/sock/libvirt-sock
URI="qemu+unix:///system?socket=$SOCK"
IMG=$T/images
NAME=remotevirsh
n=0
DPID=
BGPIDS=
unset LIBVIRT_DEFAULT_URI VIRSH_DEFAULT_CONNECT_URI

# The daemon first (SIGTERM, then SIGKILL), then the QEMUs it left.
stop_daemon() {
    [ -n "$DPID" ] || return 0
    kill -TERM "$DPID" 2>/dev/null
    i=0
    while kill -0 "$DPID" 2>/dev/null && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$DPID" 2>/dev/null
    wait "$DPID" 2>/dev/null
    DSTATUS=$?
    DPID=
}

kill_qemus() {
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [ "$pid" = "$$" ] && continue
        if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "$T/"; then
            kill -9 "$pid" 2>/dev/null
        fi
    done
}

cleanup() {
    for p in $BGPIDS; do
        kill -9 "$p" 2>/dev/null
    done
    stop_daemon
    kill_qemus
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# run ARGS...: Debian's virsh on our daemon; stdout in $T/out, stderr in
# $T/err, exit status in $RC.
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

# Stop here: what follows needs what just failed.
bail() {
    echo "1..$n"
    echo "# the daemon's output:"
    sed 's/^/#   /' "$T/libvirtd.log" 2>/dev/null | tail -n 40
    exit 1
}

out_has() { grep -qE -- "$1" "$T/out"; }
err_has() { grep -qE -- "$1" "$T/err"; }
status() { [ "$RC" -eq "$1" ]; }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
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

# The backing file qemu-img reads in IMAGE's header ("" if none).
backing_of() {
    qemu-img info -U "$1" | sed -n 's/^backing file: //p'
}

# ------------------------------------------------------------------
# The client and the daemon
# ------------------------------------------------------------------

RC=0
: >"$T/out"
: >"$T/err"
check "Debian's virsh is installed (libvirt-clients)" test -x "$VIRSH"
"$VIRSH" --version >"$T/out" 2>"$T/err"
RC=$?
check "it is libvirt 9.x's" eval 'status 0 && out_has "^9\.[0-9]+\.[0-9]+$"'
check "our libvirtd is built" test -x "$LIBVIRTD"
check "libvirt-python is installed (python3-libvirt)" eval '"$PYTHON" -c "import libvirt" >"$T/out" 2>"$T/err"'
check "QEMU is installed" eval 'command -v qemu-system-x86_64 >/dev/null && command -v qemu-img >/dev/null && command -v qemu-io >/dev/null'
[ "$(id -u)" = 0 ]
RC=$?
check "running as root (QEMU's images change owner)" status 0
[ $n -eq 6 ] && [ -x "$VIRSH" ] && [ -x "$LIBVIRTD" ] && [ "$RC" -eq 0 ] || bail

mkdir -m 0700 "$ROOT"
mkdir -m 0755 "$T/sock" "$IMG"
cat >"$T/libvirtd.conf" <<EOF
# remotevirshtest.sh's daemon
unix_sock_dir = "$T/sock"
qemu_root = "$ROOT"
EOF
"$LIBVIRTD" --config "$T/libvirtd.conf" --pid-file "$T/libvirtd.pid" \
    </dev/null >"$T/libvirtd.log" 2>&1 &
DPID=$!

daemon_answers() {
    kill -0 "$DPID" 2>/dev/null || return 0
    [ -S "$SOCK" ] && timeout -k 5 30 "$VIRSH" -c "$URI" uri >"$T/out" 2>"$T/err"
}
wait_for $HANG daemon_answers
kill -0 "$DPID" 2>/dev/null
RC=$?
check "libvirtd starts on a temporary config and listens" \
    eval 'status 0 && [ -S "$SOCK" ] && [ -S "$T/sock/libvirt-sock-ro" ]'
[ "$RC" -eq 0 ] || bail

run uri
check "virsh connects with qemu+unix:///system?socket=PATH" \
    eval 'status 0 && out_has "^qemu"'
[ "$RC" -eq 0 ] || bail

run list --all
check "list --all of no domain" \
    eval 'status 0 && [ "$(head -n 2 "$T/out")" = " Id   Name   State
--------------------" ] && [ "$(wc -l <"$T/out")" -le 3 ]'

run version
check "version names the library and the hypervisor" \
    eval 'status 0 && out_has "^Using library: libvirt 9\." && out_has "^Running hypervisor: QEMU [0-9]"'

# How many clients the daemon has: the connected ends on its socket.
daemon_clients() {
    awk -v s="$SOCK" '$6 == "03" && $8 == s { c++ } END { print c + 0 }' /proc/net/unix
}

# ------------------------------------------------------------------
# Domains on a qcow2 overlay over a raw base
# ------------------------------------------------------------------

prepare_images() {
    qemu-img create -q -f raw "$IMG/base.raw" 64M || return 1
    qemu-io -f raw -c "write -P 0x5a 0 16M" "$IMG/base.raw" >/dev/null || return 1
    for i in 1 2 3; do
        qemu-img create -q -f qcow2 -b "$IMG/base.raw" -F raw "$IMG/overlay$i.qcow2" || return 1
    done
    chmod 0644 "$IMG"/*
}
check "qemu-img makes a raw base and qcow2 overlays" prepare_images

write_xml() {
    cat >"$T/dom$1.xml" <<EOF
<domain type='qemu'>
  <name>$NAME$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$IMG/overlay$1.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
}
for i in 1 2 3; do
    write_xml $i
done

run define "$T/dom1.xml"
check "define" eval 'status 0 && out_has "^Domain '"'${NAME}1'"' defined from $T/dom1.xml$"'

run list --all
check "list --all shows it shut off" eval 'status 0 && out_has "^ -  +${NAME}1 +shut off$"'

run -r start "${NAME}1"
check "a read-only connection may not start it" \
    eval 'status 1 && err_has "^error: Failed to start domain"'

run start "${NAME}1"
check "start" eval 'status 0 && out_has "^Domain '"'${NAME}1'"' started$"'
[ "$RC" -eq 0 ] || bail

run list
check "list shows it running" eval 'status 0 && out_has "^ [0-9]+ +${NAME}1 +running$"'

run dominfo "${NAME}1"
check "dominfo" \
    eval 'status 0 && out_has "^Name: +${NAME}1$" && out_has "^State: +running$" && out_has "^Max memory: +65536 KiB$"'

run domstate --reason "${NAME}1"
check "domstate --reason" eval 'status 0 && out_has "^running \(booted\)$"'

run dumpxml "${NAME}1"
check "dumpxml shows the overlay and its raw base" \
    eval 'status 0 && out_has "<source file=.$IMG/overlay1.qcow2." && out_has "<backingStore type=.file." &&
          out_has "<format type=.raw./>" && out_has "<source file=.$IMG/base.raw./>"'

run domblklist "${NAME}1"
check "domblklist" eval 'status 0 && out_has "^ vda +$IMG/overlay1.qcow2$"'

# ------------------------------------------------------------------
# blockpull --wait --verbose
# ------------------------------------------------------------------

run blockpull "${NAME}1" vda --wait --verbose
check "blockpull --wait --verbose says Pull complete" \
    eval 'status 0 && out_has "^Pull complete$" && err_has "Block Pull: \[100 %\]"'

RC=0
: >"$T/err"
backing_of "$IMG/overlay1.qcow2" >"$T/out"
check "the overlay has no backing file after (qemu-img info -U)" \
    eval '[ ! -s "$T/out" ] && qemu-img info -U "$IMG/overlay1.qcow2" >"$T/err" 2>&1'

run dumpxml "${NAME}1"
check "dumpxml shows no backing chain after" \
    eval 'status 0 && ! out_has "<backingStore type=.file." && ! out_has "$IMG/base.raw"'

run blockjob "${NAME}1" vda --info
check "blockjob --info after the pull: no job" \
    eval 'status 0 && out_has "^No current block job for vda"'

# ------------------------------------------------------------------
# A bandwidth-limited pull: blockjob --info, virsh event
# ------------------------------------------------------------------

# A listener to every event id libvirt 9.0 has (id 7 is libvirt's
# CONTROL_ERROR to it, and our daemon's block pull event must not reach
# it): listening once it heard the domain start.
timeout -k 5 $HANG "$VIRSH" -c "$URI" event --all --loop --timeout $HANG \
    >"$T/ev3.out" 2>"$T/ev3.err" &
EV3=$!
BGPIDS="$EV3"
ev3_connected() { [ "$(daemon_clients)" -ge 1 ]; }
wait_for $HANG ev3_connected

run create "$T/dom2.xml"
check "create a transient domain" eval 'status 0 && out_has "^Domain '"'${NAME}2'"' created from "'

ev3_has() { grep -q -- "$1" "$T/ev3.out"; }
wait_for $HANG ev3_has "'${NAME}2': Started Booted"
RC=$?
cp "$T/ev3.out" "$T/out"
cp "$T/ev3.err" "$T/err"
check "event --all --loop hears it start" \
    eval 'status 0 && out_has "^event .lifecycle. for domain .${NAME}2.: Started Booted$"'

# Two listeners, before the pull: one that ends with its first block-job
# event, one looping on block-job-2 until told to stop.
timeout -k 5 $HANG "$VIRSH" -c "$URI" event "${NAME}2" --event block-job --timeout $HANG \
    >"$T/ev1.out" 2>"$T/ev1.err" &
EV1=$!
timeout -k 5 $HANG "$VIRSH" -c "$URI" event --event block-job-2 --loop --timeout $HANG \
    >"$T/ev2.out" 2>"$T/ev2.err" &
EV2=$!
BGPIDS="$EV1 $EV2 $EV3"

# They are listening once the daemon has accepted both: two more
# connected ends on its socket.
listeners_connected() { [ "$(daemon_clients)" -ge 3 ]; }
wait_for $HANG listeners_connected
RC=$?
: >"$T/out"
: >"$T/err"
check "both virsh event listeners connect" status 0

run blockpull "${NAME}2" vda --bandwidth 1
check "blockpull --bandwidth 1 starts a pull in the background" \
    eval 'status 0 && out_has "^Block Pull started$"'

run blockjob "${NAME}2" vda --info
check "blockjob --info shows the running pull and its bandwidth" \
    eval 'status 0 && err_has "Block Pull: \[ *[0-9]+ %\]" &&
          out_has "Bandwidth limit: 1048576 bytes/s \(1\.000 MiB/s\)"'

run blockjob "${NAME}2" vda --info --raw
check "blockjob --info --raw: type, bandwidth, cur and end" \
    eval 'status 0 && out_has "^ type=Block Pull$" && out_has "^ bandwidth=1$" &&
          out_has "^ cur=[0-9]+$" && out_has "^ end=[1-9][0-9]*$"'

run blockjob "${NAME}2" vda --bandwidth 0
check "blockjob --bandwidth 0 lifts the limit" status 0

ev1_done() { ! kill -0 "$EV1" 2>/dev/null; }
wait_for $HANG ev1_done
wait "$EV1"
RC=$?
cp "$T/ev1.out" "$T/out"
cp "$T/ev1.err" "$T/err"
check "event --event block-job sees the pull COMPLETED" \
    eval 'status 0 && out_has "^event .block-job. for domain .${NAME}2.: Block Pull for $IMG/overlay2.qcow2 completed$" &&
          out_has "^events received: 1$"'

ev2_heard() { grep -q "completed" "$T/ev2.out"; }
wait_for $HANG ev2_heard
kill -INT "$EV2" 2>/dev/null
wait "$EV2"
RC=$?
BGPIDS="$EV3"
cp "$T/ev2.out" "$T/out"
cp "$T/ev2.err" "$T/err"
check "event --event block-job-2 --loop sees it too, by target" \
    eval 'out_has "^event .block-job-2. for domain .${NAME}2.: Block Pull for vda completed$" &&
          [ "$(grep -c "completed" "$T/out")" -eq 1 ]'

ev3_done() { ev3_has "block-job-2' for domain '${NAME}2': Block Pull for vda completed"; }
wait_for $HANG ev3_done
kill -0 "$EV3" 2>/dev/null
RC=$?
kill -INT "$EV3" 2>/dev/null
wait "$EV3"
BGPIDS=
cp "$T/ev3.out" "$T/out"
cp "$T/ev3.err" "$T/err"
check "event --all --loop stays connected and hears block-job and block-job-2 once each" \
    eval 'status 0 &&
          out_has "^event .block-job. for domain .${NAME}2.: Block Pull for $IMG/overlay2.qcow2 completed$" &&
          out_has "^event .block-job-2. for domain .${NAME}2.: Block Pull for vda completed$" &&
          [ "$(grep -c "completed" "$T/out")" -eq 2 ] && ! out_has "control-error"'

RC=0
backing_of "$IMG/overlay2.qcow2" >"$T/out"
: >"$T/err"
check "that overlay has no backing file either" eval '[ ! -s "$T/out" ]'

# ------------------------------------------------------------------
# libvirt-python: a Nova-style rebase-and-poll
# ------------------------------------------------------------------

run define "$T/dom3.xml"
run start "${NAME}3"
check "a third domain for libvirt-python" eval 'status 0 && out_has "started"'
timeout -k 5 $HANG "$PYTHON" "$top_srcdir/tests/remotepythontest.py" \
    "$URI" "${NAME}3" vda "$IMG/overlay3.qcow2" >"$T/out" 2>"$T/err"
RC=$?
check "python3-libvirt: blockRebase, blockJobInfo polled to the end, BLOCK_JOB event" \
    eval 'status 0 && out_has "^completed: block job event COMPLETED, overlay standalone$"'

# ------------------------------------------------------------------
# The end
# ------------------------------------------------------------------

run destroy "${NAME}1"
check "destroy" eval 'status 0 && out_has "^Domain '"'${NAME}1'"' destroyed$"'
run destroy "${NAME}2"
check "destroy the transient one" eval 'status 0 && out_has "destroyed"'
run destroy "${NAME}3"
run list --all
check "list --all after: the persistent ones shut off, the transient one gone" \
    eval 'status 0 && out_has "^ -  +${NAME}1 +shut off$" && out_has "^ -  +${NAME}3 +shut off$" && ! out_has "${NAME}2"'

run undefine "${NAME}1"
check "undefine" eval 'status 0 && out_has "^Domain '"'${NAME}1'"' has been undefined$"'
run undefine "${NAME}3"

RC=0
: >"$T/out"
stop_daemon
cp "$T/libvirtd.log" "$T/err"
RC=$DSTATUS
check "libvirtd exits 0 on SIGTERM" status 0

echo "1..$n"
