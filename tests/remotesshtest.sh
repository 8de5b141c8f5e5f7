#!/bin/sh
# remotesshtest.sh: qemu+ssh:// end to end, emitting TAP. The built
# libvirtd serves a temporary root; real sshds on 127.0.0.1 (throw-away
# host and user keys made here) run virt-ssh-helper for the clients: our
# virsh, Debian's virsh (libvirt-clients 9.0) and python3-libvirt. Each
# sshd runs in a mount namespace of its own where a directory of this
# test is bind mounted on $runstatedir/libvirt-bp, so that the helper's
# qemu:///system is this test's daemon (or no daemon at all); nothing
# changes outside.
#
# Checked: our client's ssh command line is word for word the one of
# libvirt's client for the same URI; a pull with our virsh and with
# Debian's (bytes in the overlay checked), libvirt-python's rebase and
# poll with its BLOCK_JOB event; read-only connections; and the refused
# cases, each with the message that says why: a host key that does not
# match, a key that is not authorized, no virt-ssh-helper on the far
# side, no daemon there.
#
# Needs root, sshd, QEMU, libvirt-clients and python3-libvirt
# (scripts/install-deps.sh): a missing one is a failure, never a skip.
# Every process it starts (daemon, sshds and their sessions, QEMUs,
# clients) is stopped on exit, also on failure.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

top_builddir=${abs_top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
LIBVIRTD=${LIBVIRTD:-$top_builddir/src/remote/libvirtd}
OUR_VIRSH=$top_builddir/tools/virsh
HELPER=$top_builddir/tools/virt-ssh-helper
DEB_VIRSH=${DEBIAN_VIRSH:-/usr/bin/virsh}
PYTHON=${DEBIAN_PYTHON:-/usr/bin/python3}
SSHD=/usr/sbin/sshd
HANG=240    # seconds: a hang catcher, not a timing

umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/remotessh.XXXXXX") || exit 1
chmod 0755 "$T"
ROOT=$T/root
IMG=$T/images
NAME=remotessh
DPID=
SSHD_PIDS=
BGPIDS=
unset LIBVIRT_DEFAULT_URI VIRSH_DEFAULT_CONNECT_URI

. "$top_srcdir/tests/tapfuncs.sh"
. "$top_srcdir/tests/remotefuncs.sh"

# Every process of the mount namespace of sshd @1 (its sessions and
# their virt-ssh-helpers), then sshd.
stop_sshd() {
    ns=$(readlink "/proc/$1/ns/mnt" 2>/dev/null)
    if [ -n "$ns" ]; then
        for d in /proc/[0-9]*; do
            pid=${d#/proc/}
            [ "$pid" = "$1" ] && continue
            [ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$ns" ] && kill -9 "$pid" 2>/dev/null
        done
    fi
    stop_pid "$1"
}

cleanup() {
    for p in $BGPIDS; do
        kill -9 "$p" 2>/dev/null
    done
    for p in $SSHD_PIDS; do
        stop_sshd "$p"
    done
    [ -n "$DPID" ] && stop_pid "$DPID"
    kill_test_procs
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

bail_diag() {
    for f in "$T"/libvirtd.log "$T"/ssh-*/sshd.log; do
        [ -f "$f" ] || continue
        echo "# $f:"
        tail -n 30 "$f" | sed 's/^/#   /'
    done
}

# ------------------------------------------------------------------
# What it needs
# ------------------------------------------------------------------

: >"$T/out"
: >"$T/err"
[ "$(id -u)" = 0 ]
RC=$?
check "running as root (sshd, mount namespaces, QEMU)" status 0
check "sshd, ssh, ssh-keygen and unshare are installed" \
    eval 'test -x "$SSHD" && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null && command -v unshare >/dev/null'
check "our libvirtd, virsh and virt-ssh-helper are built" \
    eval 'test -x "$LIBVIRTD" && test -x "$OUR_VIRSH" && test -x "$HELPER"'
check "Debian's virsh and python3-libvirt are installed" \
    eval 'test -x "$DEB_VIRSH" && "$PYTHON" -c "import libvirt" >"$T/out" 2>"$T/err"'
check "QEMU is installed" \
    eval 'command -v qemu-system-x86_64 >/dev/null && command -v qemu-img >/dev/null && command -v qemu-io >/dev/null'
[ "$fail" -eq 0 ] || bail

# The directory virt-ssh-helper looks in for qemu:///system, as built.
printf 'lbp-print-runstatedir:\n\t@echo $(runstatedir)\n' >"$T/print.mk"
RUNDIR=$(MAKEFLAGS= MFLAGS= MAKELEVEL= make -s --no-print-directory -C "$top_builddir" -f Makefile -f "$T/print.mk" lbp-print-runstatedir 2>"$T/err")/libvirt-bp
RC=$?
echo "$RUNDIR" >"$T/out"
check "the build's runstatedir is known ($RUNDIR)" eval 'status 0 && case $RUNDIR in /*/libvirt-bp) true ;; *) false ;; esac'
[ "$fail" -eq 0 ] || bail

# ------------------------------------------------------------------
# The daemon, keys, and three sshds
# ------------------------------------------------------------------

mkdir -m 0700 "$ROOT"
mkdir -m 0755 "$T/sock" "$T/nosock" "$IMG" "$T/nohelper"
cat >"$T/libvirtd.conf" <<EOF
# remotesshtest.sh's daemon
unix_sock_dir = "$T/sock"
qemu_root = "$ROOT"
EOF
"$LIBVIRTD" --config "$T/libvirtd.conf" --pid-file "$T/libvirtd.pid" \
    </dev/null >"$T/libvirtd.log" 2>&1 &
DPID=$!
daemon_listens() { ! kill -0 "$DPID" 2>/dev/null || [ -S "$T/sock/libvirt-sock-ro" ]; }
wait_for $HANG daemon_listens
kill -0 "$DPID" 2>/dev/null
RC=$?
check "libvirtd starts and listens in $T/sock" eval 'status 0 && [ -S "$T/sock/libvirt-sock" ]'
[ "$RC" -eq 0 ] || bail

ssh-keygen -q -t ed25519 -N '' -C remotessh-host -f "$T/host_key" &&
ssh-keygen -q -t ed25519 -N '' -C remotessh-other-host -f "$T/other_host_key" &&
ssh-keygen -q -t ed25519 -N '' -C remotessh-user -f "$T/user_key" &&
ssh-keygen -q -t ed25519 -N '' -C remotessh-stranger -f "$T/stranger_key" &&
cp "$T/user_key.pub" "$T/authorized_keys" >"$T/out" 2>"$T/err"
RC=$?
check "ssh-keygen makes host and user keys" status 0

# A PATH with the shell and the tools of the far side command, but
# neither virt-ssh-helper nor nc (the host's /usr/bin has Debian's
# virt-ssh-helper).
for tool in sh which grep; do
    ln -s "$(command -v $tool)" "$T/nohelper/$tool"
done

mkdir -p /run/sshd

# start_sshd NAME SOCKDIR PATH: an sshd on a free port whose sessions see
# SOCKDIR as $RUNDIR and have PATH; sets PORT_<NAME>.
start_sshd() {
    d=$T/ssh-$1
    mkdir -m 0700 "$d"
    port=$(free_port)
    sshd_config 127.0.0.1 "$port" "$T" "$d" "$3" >"$d/libvirt-bp-test-sshd_config"
    # The nearest existing ancestor of $RUNDIR gets a tmpfs (in the
    # namespace only) when $RUNDIR does not exist.
    anc=
    if [ ! -d "$RUNDIR" ]; then
        anc=$RUNDIR
        while [ ! -d "$anc" ]; do anc=$(dirname "$anc"); done
        case "$T/" in "$anc"/*)
            echo "# a tmpfs on $anc would hide $T: create $RUNDIR"; return 1 ;;
        esac
        case "$top_builddir/" in "$anc"/*)
            echo "# a tmpfs on $anc would hide $top_builddir: create $RUNDIR"; return 1 ;;
        esac
    fi
    unshare --mount --propagation private /bin/sh -c '
        set -e
        if [ -n "$3" ]; then
            mount -t tmpfs -o mode=0755 libvirt-bp-test "$3"
            mkdir -p "$2"
        fi
        mount --bind "$1" "$2"
        exec "$4" -D -f "$5" -E "$6"' sh "$2" "$RUNDIR" "$anc" "$SSHD" \
        "$d/libvirt-bp-test-sshd_config" "$d/sshd.log" </dev/null >"$d/out" 2>&1 &
    pid=$!
    SSHD_PIDS="$SSHD_PIDS $pid"
    eval "PORT_$1=$port"
    sshd_listens() {
        ! kill -0 "$pid" 2>/dev/null ||
            "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null
    }
    wait_for 30 sshd_listens && kill -0 "$pid" 2>/dev/null
}

start_sshd main "$T/sock" "$top_builddir/tools:/usr/bin:/bin" >"$T/out" 2>"$T/err"
RC=$?
check "sshd (main) listens, sessions see the daemon as qemu:///system" status 0
start_sshd nodaemon "$T/nosock" "$top_builddir/tools:/usr/bin:/bin" >"$T/out" 2>"$T/err"
RC=$?
check "sshd (nodaemon) listens, sessions see no daemon" status 0
start_sshd nohelper "$T/sock" "$T/nohelper" >"$T/out" 2>"$T/err"
RC=$?
check "sshd (nohelper) listens, sessions have no virt-ssh-helper nor nc" status 0
[ "$RC" -eq 0 ] || bail

# The namespaces changed nothing outside.
RC=0
: >"$T/err"
grep -F -- "$RUNDIR" /proc/self/mountinfo >"$T/out"
check "no mount on $RUNDIR outside sshd's namespace" eval '[ ! -s "$T/out" ]'

echo "[127.0.0.1]:$PORT_main $(cat "$T/host_key.pub")" >"$T/known_hosts"
echo "[127.0.0.1]:$PORT_nodaemon $(cat "$T/host_key.pub")" >>"$T/known_hosts"
echo "[127.0.0.1]:$PORT_nohelper $(cat "$T/host_key.pub")" >>"$T/known_hosts"
echo "[127.0.0.1]:$PORT_main $(cat "$T/other_host_key.pub")" >"$T/wrong_known_hosts"

# uri PORT [PARAMS]: a qemu+ssh URI to an sshd of this test.
uri() {
    echo "qemu+ssh://root@127.0.0.1:$1/system?keyfile=$T/user_key&known_hosts=$T/known_hosts&no_tty=1${2:+&$2}"
}
URI=$(uri "$PORT_main")

# ------------------------------------------------------------------
# Our virsh
# ------------------------------------------------------------------

virsh_with "$OUR_VIRSH" "$URI" uri
check "our virsh connects over qemu+ssh://" eval 'status 0 && out_has "^qemu\+ssh://root@127\.0\.0\.1:"'
[ "$RC" -eq 0 ] || bail

virsh_with "$OUR_VIRSH" "$URI" list --all
check "list --all over ssh" eval 'status 0 && out_has "^ Id +Name +State"'

# The refused cases, each with ssh's (or the far side's) own words.
virsh_with "$OUR_VIRSH" "qemu+ssh://root@127.0.0.1:$PORT_main/system?keyfile=$T/user_key&known_hosts=$T/wrong_known_hosts&no_tty=1" list
check "a host key that does not match: Host key verification failed" \
    eval '! status 0 && err_has "Host key verification failed"'

virsh_with "$OUR_VIRSH" "qemu+ssh://root@127.0.0.1:$PORT_main/system?keyfile=$T/stranger_key&known_hosts=$T/known_hosts&no_tty=1" list
check "a key that is not authorized: Permission denied" \
    eval '! status 0 && err_has "Permission denied (publickey"'

virsh_with "$OUR_VIRSH" "$(uri "$PORT_nohelper" proxy=native)" list
check "no virt-ssh-helper on the far side (proxy=native): the error names it" \
    eval '! status 0 && err_has "virt-ssh-helper: not found"'

virsh_with "$OUR_VIRSH" "$(uri "$PORT_nohelper")" list
check "no virt-ssh-helper and no nc (proxy=auto): nc's absence is said" \
    eval '! status 0 && err_has "nc: not found"'

virsh_with "$OUR_VIRSH" "$(uri "$PORT_nodaemon")" list
check "no daemon on the far side: virt-ssh-helper names the socket" \
    eval '! status 0 && err_has "virt-ssh-helper: cannot connect to '"'$RUNDIR/libvirt-sock'"'"'

virsh_with "$OUR_VIRSH" "$(uri "$PORT_nodaemon")" -r list
check "read-only, no daemon: it names the read-only socket" \
    eval '! status 0 && err_has "cannot connect to '"'$RUNDIR/libvirt-sock-ro'"'"'

# ------------------------------------------------------------------
# The same command line as libvirt's client
# ------------------------------------------------------------------

# Stand-ins for ssh (command=): each writes its arguments to its own
# file (libvirt's client passes ssh only a few environment variables),
# then runs ssh. Debian's client does not pass known_hosts to ssh (that
# parameter is its libssh transports'), so they name the file for both.
# wuri NAME: the URI that goes through stand-in NAME ($T/argv-NAME).
wuri() {
    cat >"$T/ssh-$1" <<EOF
#!/bin/sh
for a; do printf '%s\n' "\$a"; done >"$T/argv-$1"
exec ssh -o UserKnownHostsFile=$T/known_hosts "\$@"
EOF
    chmod 0755 "$T/ssh-$1"
    echo "qemu+ssh://root@127.0.0.1:$PORT_main/system?keyfile=$T/user_key&no_tty=1&command=$T/ssh-$1"
}

# The one difference: the socket nc falls back to, when none is given,
# is each daemon's own (libvirt's /var/run/libvirt, ours $RUNDIR).
for ro in "" "-r"; do
    virsh_with "$OUR_VIRSH" "$(wuri ours$ro)" $ro list --all
    virsh_with "$DEB_VIRSH" "$(wuri debian$ro)" $ro list --all
    RC=0
    sed "s|-U $RUNDIR/libvirt-sock|-U /var/run/libvirt/libvirt-sock|" \
        "$T/argv-ours$ro" >"$T/argv-ours$ro.libvirt" &&
    diff "$T/argv-debian$ro" "$T/argv-ours$ro.libvirt" >"$T/out" 2>"$T/err" || RC=1
    check "ssh's arguments${ro:+ (read-only)} are libvirt's client's, word for word" \
        eval 'status 0 && grep -q "^sh -c .which virt-ssh-helper" "$T/argv-ours$ro"'
done
# With the socket given, libvirt's client uses nc: so do we, identically
# (whether nc is installed here does not matter to the command line).
for p in "socket=$T/sock/libvirt-sock" "proxy=native" "netcat=/bin/nc%20-x&no_verify=1&socket=/run/x"; do
    virsh_with "$OUR_VIRSH" "$(wuri ours-p)&$p" list --all
    virsh_with "$DEB_VIRSH" "$(wuri debian-p)&$p" list --all
    RC=0
    diff "$T/argv-debian-p" "$T/argv-ours-p" >"$T/out" 2>"$T/err" || RC=1
    check "with $p: the same arguments as libvirt's client's" status 0
done

# ------------------------------------------------------------------
# Domains, a pull with our virsh
# ------------------------------------------------------------------

check "qemu-img makes a raw base and qcow2 overlays" \
    make_images "$IMG" 64M 16M overlay1.qcow2 overlay2.qcow2 overlay3.qcow2
for i in 1 2 3; do
    domain_xml "$NAME$i" "$IMG/overlay$i.qcow2" >"$T/dom$i.xml"
done

virsh_with "$OUR_VIRSH" "$URI" define "$T/dom1.xml"
check "define over ssh" eval 'status 0 && out_has "defined"'

virsh_with "$OUR_VIRSH" "$URI" -r start "${NAME}1"
check "read-only over ssh (virt-ssh-helper -r): start is refused" \
    eval '! status 0 && err_has "read-only"'

virsh_with "$OUR_VIRSH" "$URI" -r list --all
check "read-only over ssh: list works" eval 'status 0 && out_has "${NAME}1 +shut off"'

virsh_with "$OUR_VIRSH" "$URI" start "${NAME}1"
check "start over ssh" eval 'status 0 && out_has "started"'

virsh_with "$OUR_VIRSH" "$URI" blockpull "${NAME}1" vda --wait --verbose
check "our virsh: blockpull --wait over ssh says Pull complete" \
    eval 'status 0 && out_has "^Pull complete$"'

# Once QEMU has ended: a running QEMU may hold the overlay's new
# metadata in its cache, where another reader cannot see it.
virsh_with "$OUR_VIRSH" "$URI" destroy "${NAME}1"
check "destroy over ssh" status 0

RC=0
check "the overlay holds the base's bytes and has no backing file" overlay_standalone "$IMG/overlay1.qcow2"

# ------------------------------------------------------------------
# Debian's virsh and python3-libvirt (unmodified) over ssh
# ------------------------------------------------------------------

WURI=$(wuri debian-pull)

virsh_with "$DEB_VIRSH" "$WURI" version
check "Debian's virsh over qemu+ssh:// (libvirt 9 library)" \
    eval 'status 0 && out_has "^Using library: libvirt 9\."'

virsh_with "$DEB_VIRSH" "$WURI" create "$T/dom2.xml"
check "Debian's virsh: create" eval 'status 0 && out_has "created"'

timeout -k 5 $HANG "$DEB_VIRSH" -c "$WURI" event "${NAME}2" --event block-job --timeout $HANG \
    >"$T/ev.out" 2>"$T/ev.err" &
EV=$!
BGPIDS=$EV
sleep 2

virsh_with "$DEB_VIRSH" "$WURI" blockpull "${NAME}2" vda --wait --verbose
check "Debian's virsh: blockpull --wait over ssh says Pull complete" \
    eval 'status 0 && out_has "^Pull complete$"'

wait_for 60 eval '! kill -0 $EV 2>/dev/null'
wait "$EV"
RC=$?
BGPIDS=
cp "$T/ev.out" "$T/out"
cp "$T/ev.err" "$T/err"
check "Debian's virsh event hears the pull's BLOCK_JOB COMPLETED over ssh" \
    eval 'status 0 && out_has "block-job. for domain .${NAME}2.: Block Pull for $IMG/overlay2.qcow2 completed"'


virsh_with "$DEB_VIRSH" "$WURI" define "$T/dom3.xml"
virsh_with "$DEB_VIRSH" "$WURI" start "${NAME}3"
check "Debian's virsh: define and start a third domain" eval 'status 0 && out_has "started"'

timeout -k 5 $HANG "$PYTHON" "$top_srcdir/tests/remotepythontest.py" \
    "$WURI" "${NAME}3" vda "$IMG/overlay3.qcow2" >"$T/out" 2>"$T/err"
RC=$?
check "python3-libvirt over ssh: blockRebase, blockJobInfo polled, BLOCK_JOB event" \
    eval 'status 0 && out_has "^completed: block job event COMPLETED, overlay standalone$"'

RC=0
cp "$T/argv-debian-pull" "$T/out"
: >"$T/err"
check "Debian's client ran our virt-ssh-helper through libvirt's auto command" \
    eval 'out_has "^sh -c .which virt-ssh-helper 1>/dev/null 2>&1; if test \\\$\? = 0; then +virt-ssh-helper .qemu:///system.; else"'

for i in 2 3; do
    virsh_with "$DEB_VIRSH" "$WURI" destroy "${NAME}$i"
    check "Debian's virsh: destroy ${NAME}$i" status 0
    RC=0
    check "overlay$i (pulled by Debian's client) holds the base's bytes, no backing file" \
        overlay_standalone "$IMG/overlay$i.qcow2"
done

# ------------------------------------------------------------------
# Nothing left behind
# ------------------------------------------------------------------

# Every client has ended: no ssh client of this test is left, and the
# daemon has no client (a virt-ssh-helper still connected would be one).
ssh_clients() {
    for d in /proc/[0-9]*; do
        { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -q "^ssh .*$T/" && echo "${d#/proc/}"
    done
}
daemon_clients() {
    awk -v a="$T/sock/libvirt-sock" -v b="$T/sock/libvirt-sock-ro" \
        '$6 == "03" && ($8 == a || $8 == b) { c++ } END { print c + 0 }' /proc/net/unix
}
no_clients() { [ -z "$(ssh_clients)" ] && [ "$(daemon_clients)" -eq 0 ]; }
wait_for 30 no_clients
RC=$?
{ ssh_clients; daemon_clients; } >"$T/out"
check "no ssh client is left and the daemon has no client after" status 0

finish
