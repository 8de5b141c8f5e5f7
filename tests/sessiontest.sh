#!/bin/sh
# sessiontest.sh: qemu:///session for an unprivileged user, emitting TAP.
# As user nobody (uid 65534, group 65534, no other group), with HOME and
# the XDG directories in a temporary directory: our virsh -c
# qemu:///session starts the user's libvirtd (one only, for clients
# racing), which keeps its state under the XDG directories and has one
# socket; a domain on the user's own images is started, pulled with
# blockpull --wait (the overlay then holds the base's bytes) and
# destroyed; QEMU runs as nobody; the daemon exits by itself once idle.
# Also refused: a daemon binary that does not exist, a bad libvirtd.conf
# of the user (the error names the binary and the log), root.
#
# The clients start "libvirtd --timeout=120 --daemon" as libvirt's do;
# LIBVIRTD_PATH (libvirt's variable) names a wrapper that adds
# --timeout=10, so that the idle exit takes seconds, not two minutes (but
# not so few that the daemon leaves between two checks on a loaded CI
# machine: with 3 s it once did, between the racing clients and the
# check of its pid file).
#
# Needs root (to become nobody) and QEMU. A build tree others may not
# reach is made reachable in the clients' mount namespaces (see as_user). Whatever way the script ends,
# every process it started (the daemons, QEMU) is killed: the trap kills
# the daemons by their pid files and every process naming the test's
# directory; then the directory is removed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
LIBVIRTD=$builddir/src/remote/libvirtd
VIRSH=$builddir/tools/virsh
USER_ID=65534

T=$(mktemp -d "${TMPDIR:-/tmp}/sessiontest.XXXXXX") || exit 1
H=$T/home

# Every process of this test: the daemons (pid files, and any libvirtd
# whose environment is this test's), QEMU (its command line names $T).
kill_all() {
    for f in "$H/run/libvirt-bp/libvirtd.pid"; do
        p=$(cat "$f" 2>/dev/null)
        case $p in ''|*[!0-9]*) ;; *) kill -KILL "$p" 2>/dev/null ;; esac
    done
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = "$$" ] && continue
        if tr '\0' '\n' 2>/dev/null <"$d/cmdline" | grep -qF -- "$T/" ||
           tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qxF -- "HOME=$H"; then
            kill -KILL "$p" 2>/dev/null
        fi
    done
}
trap 'kill_all; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
unset LIBVIRT_DEBUG LIBVIRT_LOG_FILE LIBVIRT_DEFAULT_URI
LC_ALL=C
export LC_ALL

. "$srcdir/tests/tapfuncs.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
    bail "root and setpriv(1), to run the clients as nobody"
fi
QEMU=$(command -v qemu-system-x86_64) || bail "qemu-system-x86_64 is installed"
command -v qemu-img >/dev/null && command -v qemu-io >/dev/null ||
    bail "qemu-img and qemu-io are installed"

chmod 0755 "$T"
mkdir -p "$H/bin" "$H/img" "$H/run"
cat >"$H/bin/libvirtd" <<EOF
#!/bin/sh
# The clients' arguments, then a short idle timeout (the last one wins);
# a pause, so that racing clients find the lock taken.
sleep 0.3
exec "$LIBVIRTD" "\$@" --timeout=10
EOF
chmod 0755 "$H/bin/libvirtd"
chmod 0700 "$H/run"
chown -R "$USER_ID:$USER_ID" "$H"

# as_user COMMAND...: run COMMAND as nobody in the user's environment;
# stdout in $T/out, stderr in $T/err, status in $RC.
# A build tree under a directory others may not enter (/root, say) is
# made reachable in a mount namespace of each client's (the daemon and
# QEMU inherit it): the closed directory is covered by one of the test's
# own, mode 0755, holding a bind mount of the way to the build tree. The
# paths stay the same, as libtool's wrappers need.
VIEW=
as_nobody() { setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups "$@"; }
reachable() { as_nobody test -x "$LIBVIRTD" && as_nobody test -r "$VIRSH"; }
if ! reachable; then
    closed=$builddir
    d=$builddir
    while [ "$d" != / ]; do
        as_nobody test -x "$d" || closed=$d
        d=$(dirname "$d")
    done
    # The closed directory's child on the way to the build tree.
    rest=${builddir#"$closed"/}
    child=${rest%%/*}
    if [ "$closed" != "$builddir" ] && [ -n "$child" ]; then
        VIEW=$T/view
        mkdir -p "$VIEW/$child"
        chmod 0755 "$VIEW"
        VIEW_FROM=$closed
    fi
fi
as_user() {
    set -- setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups \
        env -i PATH="$PATH" LC_ALL=C HOME="$H" XDG_RUNTIME_DIR="$H/run" \
        XDG_CONFIG_HOME="$H/config" XDG_DATA_HOME="$H/data" \
        XDG_CACHE_HOME="$H/cache" LIBVIRTD_PATH="${LIBVIRTD_PATH_OVERRIDE:-$H/bin/libvirtd}" \
        "$@"
    if [ -n "$VIEW" ]; then
        unshare --mount sh -c 'mount --bind "$1/$3" "$2/$3" && mount --rbind "$2" "$1" &&
            shift 3 && exec "$@"' sh "$VIEW_FROM" "$VIEW" "$child" "$@" >"$T/out" 2>"$T/err"
    else
        "$@" >"$T/out" 2>"$T/err"
    fi
    RC=$?
}
virsh() { as_user "$VIRSH" -c qemu:///session "$@"; }
out_has() { grep -qE -- "$1" "$T/out"; }
err_has() { grep -qE -- "$1" "$T/err"; }

SOCK=$H/run/libvirt-bp/libvirt-sock
PIDFILE=$H/run/libvirt-bp/libvirtd.pid
LOG=$H/cache/libvirt-bp/libvirtd.log
daemon_pids() {
    for d in /proc/[0-9]*; do
        [ "$(readlink "$d/exe" 2>/dev/null)" = "$LIBVIRTD" ] || continue
        tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qxF -- "HOME=$H" && echo "${d#/proc/}"
    done
}
no_daemon() { [ -z "$(daemon_pids)" ]; }

as_user test -x "$LIBVIRTD"
rc1=$RC
as_user test -r "$VIRSH"
if [ $rc1 -ne 0 ] || [ $RC -ne 0 ]; then
    bail "nobody can run $LIBVIRTD and $VIRSH${VIEW:+ (even with $VIEW_FROM covered)}"
fi
[ -n "$VIEW" ] && echo "# $VIEW_FROM is closed to nobody: covered in the clients' mount namespaces"

# ------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------

LIBVIRTD_PATH_OVERRIDE=$H/bin/no-such-libvirtd virsh uri
check "a missing daemon binary: the error names it" \
    eval '[ $RC -ne 0 ] && err_has "cannot run the session daemon .$H/bin/no-such-libvirtd."'
[ $RC -ne 0 ] || diag "$T/out"

mkdir -p "$H/config/libvirt-bp"
echo 'max_workers = "many"' >"$H/config/libvirt-bp/libvirtd.conf"
chown -R "$USER_ID:$USER_ID" "$H/config"
virsh uri
check "a bad libvirtd.conf of the user: the error names the binary, the file and the log" \
    eval '[ $RC -ne 0 ] && err_has "session daemon .$H/bin/libvirtd. failed to start" &&
          err_has "$H/config/libvirt-bp/libvirtd.conf:1" && err_has "see its log .$LOG."'
diag "$T/err"
check "the daemon's error is in its log" grep -q "max_workers" "$LOG"
check "no daemon is left from the failed start" no_daemon
rm -f "$H/config/libvirt-bp/libvirtd.conf"

env XDG_RUNTIME_DIR="$T/root-run" "$VIRSH" -c qemu:///session uri >"$T/out" 2>"$T/err" </dev/null
RC=$?
check "root gets no session daemon started, with a reason" \
    eval '[ $RC -ne 0 ] && err_has "root does not get one started"'

# ------------------------------------------------------------------
# Autostart: racing clients start one daemon
# ------------------------------------------------------------------

for i in 1 2 3 4; do
    (as_user "$VIRSH" -c qemu:///session uri; echo "$RC" >"$T/race$i.rc"; cp "$T/out" "$T/race$i.out";
     cp "$T/err" "$T/race$i.err") &
done
wait
ok_all=yes
for i in 1 2 3 4; do
    if [ "$(cat "$T/race$i.rc")" != 0 ] || [ "$(cat "$T/race$i.out")" != "qemu:///session" ]; then
        ok_all=no
        diag "$T/race$i.err"
    fi
done
check "four clients racing: each reaches the session daemon (virsh uri: qemu:///session)" [ $ok_all = yes ]
pids=$(daemon_pids)
check "one session daemon runs for them (pids: $(echo $pids))" [ "$(echo $pids | wc -w)" -eq 1 ]
DPID=$(echo $pids | cut -d' ' -f1)
[ -n "$DPID" ] || bail "a session daemon runs"
check "it runs as nobody" [ "$(stat -c %u "/proc/$DPID")" -eq $USER_ID ]
check "it was started as libvirt's clients start it (--timeout=120 --daemon)" \
    eval 'tr "\0" " " <"/proc/$DPID/cmdline" | grep -q -- "--timeout=120 --daemon"'
check "it is not a client's child (its parent is pid $(awk '{print $4}' "/proc/$DPID/stat"))" \
    eval '[ "$(awk "{print \$4}" "/proc/$DPID/stat")" != "$$" ]'
check "its pid file is $PIDFILE" [ "$(cat "$PIDFILE" 2>/dev/null)" = "$DPID" ]
check "its one socket is $SOCK, mode 0700" \
    eval '[ -S "$SOCK" ] && [ "$(stat -c %a "$SOCK")" = 700 ] && [ "$(stat -c %u "$SOCK")" = $USER_ID ]'
check "it has no read-only socket" [ ! -e "$H/run/libvirt-bp/libvirt-sock-ro" ]
check "its qemu_root is \$XDG_DATA_HOME/libvirt-bp/qemu, the user's" \
    eval '[ -d "$H/data/libvirt-bp/qemu/run/qemu" ] && [ "$(stat -c %u "$H/data/libvirt-bp/qemu")" = $USER_ID ]'

virsh -r uri
check "a read-only open uses the same socket" eval '[ $RC -eq 0 ] && out_has "^qemu:///session$"'
as_user "$VIRSH" -c "qemu+unix:///system?socket=$SOCK" uri
check "the session daemon does not open qemu:///system" \
    eval '[ $RC -ne 0 ] && err_has "does not open .qemu:///system."'

# ------------------------------------------------------------------
# A domain: start, pull, destroy
# ------------------------------------------------------------------

IMG=$H/img
as_user sh -c "qemu-img create -q -f raw '$IMG/base.raw' 64M &&
    qemu-io -f raw -c 'write -P 0x5a 0 16M' '$IMG/base.raw' >/dev/null &&
    qemu-img create -q -f qcow2 -b '$IMG/base.raw' -F raw '$IMG/overlay.qcow2' &&
    chmod 0600 '$IMG/base.raw' '$IMG/overlay.qcow2'"
check "nobody makes a raw base and a qcow2 overlay, readable by nobody else" [ $RC -eq 0 ]
cat >"$T/dom.xml" <<EOF
<domain type='qemu'>
  <name>sess1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>$QEMU</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$IMG/overlay.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
chmod 0644 "$T/dom.xml"

virsh define "$T/dom.xml"
check "define" eval '[ $RC -eq 0 ] && out_has "^Domain .sess1. defined"'
check "its definition is under \$XDG_DATA_HOME" \
    eval 'grep -rlq "<name>sess1</name>" "$H/data/libvirt-bp/qemu"'
virsh -r start sess1
check "a read-only connection may not start it" eval '[ $RC -ne 0 ]'
virsh start sess1
check "start" eval '[ $RC -eq 0 ] && out_has "^Domain .sess1. started$"'
[ $RC -eq 0 ] || { diag "$T/err"; finish; }
qpid=
for d in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -q -- "guest=sess1,"; then
        qpid=${d#/proc/}
    fi
done
check "QEMU runs (pid $qpid)" [ -n "$qpid" ]
ids() { awk -v k="$2:" '$1 == k { print $2, $3, $4, $5 }' "/proc/$1/status" 2>/dev/null; }
check "QEMU runs as nobody (uid and gid $USER_ID, real, effective, saved, fs)" \
    eval '[ -n "$qpid" ] && [ "$(ids "$qpid" Uid)" = "$USER_ID $USER_ID $USER_ID $USER_ID" ] &&
          [ "$(ids "$qpid" Gid)" = "$USER_ID $USER_ID $USER_ID $USER_ID" ]'
check "the images keep their owner and mode (no DAC: nothing chowned)" \
    eval '[ "$(stat -c "%u %a" "$IMG/base.raw" "$IMG/overlay.qcow2" | sort -u)" = "$USER_ID 600" ]'

virsh blockpull sess1 vda --wait
check "blockpull --wait: Pull complete" eval '[ $RC -eq 0 ] && out_has "Pull complete"'
[ $RC -eq 0 ] || diag "$T/err"
virsh destroy sess1
check "destroy" eval '[ $RC -eq 0 ] && out_has "^Domain .sess1. destroyed$"'
check "QEMU is gone" wait_for 10 eval '! kill -0 "$qpid" 2>/dev/null'
# The overlay alone (its base moved away) holds the base's bytes now.
mv "$IMG/base.raw" "$IMG/base.moved"
as_user qemu-img info -U "$IMG/overlay.qcow2"
check "the overlay has no backing file any more" eval '[ $RC -eq 0 ] && ! out_has "^backing file"'
as_user qemu-io -r -U -f qcow2 -c "read -P 0x5a 0 16M" -c "read -P 0 16M 48M" "$IMG/overlay.qcow2"
check "the overlay holds the base's 16 MiB of 0x5a, zeros after" \
    eval '[ $RC -eq 0 ] && ! out_has "Pattern verification failed" && [ "$(grep -c "^read " "$T/out")" -eq 2 ]'
virsh list --all
check "list --all shows it shut off" eval '[ $RC -eq 0 ] && out_has "^ -  +sess1 +shut off$"'

# ------------------------------------------------------------------
# The idle exit
# ------------------------------------------------------------------

if wait_for 30 no_daemon; then
    ok "the daemon exits by itself once idle (--timeout=10)"
else
    notok "the daemon exits by itself once idle (--timeout=10)"
fi
check "its socket and pid file are gone" eval '[ ! -e "$SOCK" ] && [ ! -e "$PIDFILE" ]'
left=
for d in /proc/[0-9]*; do
    [ "$(stat -c %u "$d" 2>/dev/null)" = $USER_ID ] || continue
    if tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qxF -- "HOME=$H" ||
       tr '\0' '\n' 2>/dev/null <"$d/cmdline" | grep -qF -- "$T/"; then
        left="$left ${d#/proc/}"
    fi
done
check "nothing of the session is left running${left:+ (left:$left)}" [ -z "$left" ]

# --system: the same user's daemon is the system one (both sockets,
# qemu:///system), on the paths of its file.
mkdir -p "$T/sys"
chown $USER_ID:$USER_ID "$T/sys"
printf 'unix_sock_dir = "%s"\nqemu_root = "%s"\n' "$T/sys/run" "$T/sys/qemu" >"$T/sys.conf"
chmod 0644 "$T/sys.conf"
as_user "$LIBVIRTD" --system -d -f "$T/sys.conf" -p "$T/sys/libvirtd.pid"
check "libvirtd --system as nobody starts" eval '[ $RC -eq 0 ]'
[ $RC -eq 0 ] || diag "$T/err"
check "... with both sockets" eval '[ -S "$T/sys/run/libvirt-sock" ] && [ -S "$T/sys/run/libvirt-sock-ro" ]'
as_user "$VIRSH" -c "qemu+unix:///system?socket=$T/sys/run/libvirt-sock-ro" uri
check "... serving qemu:///system" eval '[ $RC -eq 0 ]'
kill -TERM "$(cat "$T/sys/libvirtd.pid")"
check "... and stops on SIGTERM" wait_for 20 eval '[ ! -e "$T/sys/libvirtd.pid" ]'

# The next client starts it again; the domain is still defined.
virsh list --all
check "the next client starts the daemon again, the domain still defined" \
    eval '[ $RC -eq 0 ] && out_has "^ -  +sess1 +shut off$"'
virsh undefine sess1
check "undefine" eval '[ $RC -eq 0 ]'
finish
