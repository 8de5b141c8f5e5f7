#!/bin/sh
# installtest.sh: the installed layout, emitting TAP. "make install
# DESTDIR=TMP" of this build puts libvirtd, virsh, libvirtd.conf and
# libvirtd.8, libvirtd.conf.5 and the systemd units where configure said,
# all under the prefix (with configure's default directories, the units'
# too), and nothing outside it. Then, in a mount and pid
# namespace of its own where TMP's copy of the prefix is mounted at the
# prefix, the installed daemon is started with no option at all (its
# built-in configuration file, sockets and qemu_root) and the installed
# virsh reaches it with "-c qemu:///system", read-write and read-only:
# that fails if the daemon's default socket and the client's default for
# qemu:///system ever differ. There too, systemd-analyze verify checks
# the installed units (with their binary in place).
#
# The namespace part needs root (mount); a build configured with
# --disable-integration-tests (make distcheck) does only the first part.
# Whatever way the script ends, the namespace (and every process in it)
# goes with it, and TMP is removed. Nothing is written outside TMP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}

T=$(mktemp -d "${TMPDIR:-/tmp}/installtest.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
unset LIBVIRT_DEBUG LIBVIRT_LOG_FILE LIBVIRT_DEFAULT_URI LD_LIBRARY_PATH
LC_ALL=C
export LC_ALL

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    fail=1
}
check() {   # check DESCRIPTION COMMAND...: ok if COMMAND succeeds
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}
diag() { sed 's/^/#   /' "$1"; }
finish() {
    echo "1..$n"
    exit $fail
}

# A make of this build, not of the make running this test (its jobserver).
submake() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$builddir" "$@"
}

# The build's directories, as make expands them.
cat >"$T/dirs.mk" <<'EOF'
installtest-dirs:
	@echo "prefix='$(prefix)'"
	@echo "bindir='$(bindir)'"
	@echo "sbindir='$(sbindir)'"
	@echo "libdir='$(libdir)'"
	@echo "sysconfdir='$(sysconfdir)'"
	@echo "localstatedir='$(localstatedir)'"
	@echo "runstatedir='$(runstatedir)'"
	@echo "mandir='$(mandir)'"
	@echo "systemdsystemunitdir='$(systemdsystemunitdir)'"
EOF
if ! submake -f Makefile -f "$T/dirs.mk" installtest-dirs >"$T/dirs" 2>&1; then
    notok "make prints the build's directories"
    diag "$T/dirs"
    finish
fi
. "$T/dirs"

# ------------------------------------------------------------------
# Where make install puts things
# ------------------------------------------------------------------

D=$T/dest
if submake install DESTDIR="$D" >"$T/install.log" 2>&1; then
    ok "make install DESTDIR=... succeeds"
else
    notok "make install DESTDIR=... succeeds"
    diag "$T/install.log"
    finish
fi

under_prefix() { case $1 in "$prefix"/*) return 0 ;; esac; return 1; }
UNITS="libvirtd.service libvirtd.socket libvirtd-ro.socket libvirtd-tls.socket"
for f in "$sbindir/libvirtd" "$bindir/virsh" "$sysconfdir/libvirt-bp/libvirtd.conf" \
         "$mandir/man8/libvirtd.8" "$mandir/man5/libvirtd.conf.5" \
         "$bindir/virt-ssh-helper" "$mandir/man8/virt-ssh-helper.8"; do
    check "installed: $f" test -f "$D$f"
done
for x in "$sbindir/libvirtd" "$bindir/virsh" "$bindir/virt-ssh-helper"; do
    check "executable: $x" test -x "$D$x"
done
# Configure's default directories are all under the prefix.
for v in bindir sbindir libdir sysconfdir localstatedir runstatedir mandir systemdsystemunitdir; do
    eval "dir=\$$v"
    check "$v ($dir) is under the prefix $prefix" under_prefix "$dir"
done
for u in $UNITS; do
    check "installed: the systemd unit $systemdsystemunitdir/$u" test -f "$D$systemdsystemunitdir/$u"
done
find "$D" ! -type d ! -path "$D$prefix/*" >"$T/outside"
check "nothing installed outside the prefix" test ! -s "$T/outside"
[ -s "$T/outside" ] && diag "$T/outside"

# The sample configuration names the default socket directory, the one
# the daemon uses without it.
check "the installed libvirtd.conf says unix_sock_dir defaults to $runstatedir/libvirt-bp" \
    grep -q "^#unix_sock_dir = \"$runstatedir/libvirt-bp\"" "$D$sysconfdir/libvirt-bp/libvirtd.conf"

# ------------------------------------------------------------------
# The installed daemon and the installed virsh, with their defaults
# ------------------------------------------------------------------

if [ "${VIR_TEST_INTEGRATION:-yes}" = no ]; then
    finish
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    notok "root and unshare(1), to mount the installed tree at its prefix"
    finish
fi

# Where to mount: the prefix if it exists on the host, else its nearest
# existing ancestor (TMP's copy of it holds only our install). A system
# directory (/usr, /) cannot be covered: such a prefix is not tested.
mnt=$prefix
while [ ! -d "$mnt" ]; do
    mnt=$(dirname "$mnt")
done
case $mnt in
/|/usr|/usr/local|/etc|/var|/run|/tmp|/bin|/sbin|/lib|/lib64|/lib32|/home|/root|/dev|/proc|/sys)
    if [ "$mnt" != "$prefix" ] || [ "$mnt" = / ] || [ "$mnt" = /usr ]; then
        notok "the prefix $prefix can be replaced in a namespace (it would cover $mnt)"
        finish
    fi ;;
esac
for v in sysconfdir localstatedir runstatedir; do
    eval "dir=\$$v"
    if ! under_prefix "$dir"; then
        notok "$v ($dir) under the prefix, for the namespace test"
        finish
    fi
done
mkdir -p "$D$mnt"

# In the namespace: the daemon with no option (it goes to the background
# once it listens), then the clients. Each step prints a line; the pid
# namespace ends with its first process, the daemon with it.
cat >"$T/inside.sh" <<'EOF'
set -u
mount --bind "$D$mnt" "$mnt" || { echo "mount: failed"; exit 1; }
if "$sbindir/libvirtd" --daemon >"$T/daemon.out" 2>&1; then
    echo "daemon: started"
else
    echo "daemon: failed"
    exit 1
fi
for s in libvirt-sock libvirt-sock-ro; do
    [ -S "$runstatedir/libvirt-bp/$s" ] && echo "socket: $s"
done
# The installed units, their binary in place: systemd's own check.
( cd "$systemdsystemunitdir" && systemd-analyze verify --man=no $UNITS ) >"$T/verify.out" 2>&1 &&
    [ ! -s "$T/verify.out" ] && echo "units: verified"
[ -d "$localstatedir/lib/libvirt-bp/qemu" ] && echo "qemu_root: there"
if "$bindir/virsh" -c qemu:///system list --all >"$T/rw.out" 2>&1; then
    echo "virsh: read-write"
fi
if "$bindir/virsh" -r -c qemu:///system list --all >"$T/ro.out" 2>&1; then
    echo "virsh: read-only"
fi
# qemu+ssh:// with a stand-in for ssh (command=) that runs the far side
# command as sshd would, with the installed bindir in PATH: the
# installed virt-ssh-helper finds the installed daemon's sockets.
printf '#!/bin/sh\nfor far; do :; done\nPATH=%s:/usr/bin:/bin exec /bin/sh -c "$far"\n' \
    "$bindir" >"$T/fake-ssh"
chmod 0755 "$T/fake-ssh"
if "$bindir/virsh" -c "qemu+ssh://installed/system?proxy=native&command=$T/fake-ssh" list --all \
       >"$T/ssh.out" 2>&1 &&
   "$bindir/virsh" -r -c "qemu+ssh://installed/system?proxy=native&command=$T/fake-ssh" list --all \
       >>"$T/ssh.out" 2>&1; then
    echo "virsh: over ssh"
fi
# Without the read-only socket, virsh -r fails naming it: that is the
# socket it used.
rm -f "$runstatedir/libvirt-bp/libvirt-sock-ro"
if ! "$bindir/virsh" -r -c qemu:///system list --all >"$T/ro-gone.out" 2>&1 &&
   grep -qF "$runstatedir/libvirt-bp/libvirt-sock-ro" "$T/ro-gone.out"; then
    echo "virsh: read-only socket named"
fi
pid=$(cat "$runstatedir/libvirt-bp/libvirtd.pid" 2>/dev/null)
if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -0 "$pid" 2>/dev/null || echo "daemon: stopped"
fi
EOF
export D T mnt prefix bindir sbindir localstatedir runstatedir systemdsystemunitdir UNITS
timeout -s KILL 60 unshare --mount --mount-proc --pid --fork --kill-child sh "$T/inside.sh" \
    >"$T/inside.out" 2>&1
has() { grep -qx -- "$1" "$T/inside.out"; }
check "the installed libvirtd starts with its built-in defaults" has "daemon: started"
has "daemon: started" || diag "$T/daemon.out"
check "its read-write socket is $runstatedir/libvirt-bp/libvirt-sock" has "socket: libvirt-sock"
check "its read-only socket is $runstatedir/libvirt-bp/libvirt-sock-ro" has "socket: libvirt-sock-ro"
check "its qemu_root is $localstatedir/lib/libvirt-bp/qemu" has "qemu_root: there"
check "the installed virsh -c qemu:///system reaches the installed daemon" has "virsh: read-write"
has "virsh: read-write" || diag "$T/rw.out"
check "the installed virsh -r -c qemu:///system reaches it too" has "virsh: read-only"
has "virsh: read-only" || diag "$T/ro.out"
check "qemu+ssh:// reaches it through the installed virt-ssh-helper (read-write and -r)" \
    has "virsh: over ssh"
has "virsh: over ssh" || diag "$T/ssh.out"
check "virsh -r used libvirt-sock-ro (without it, it fails naming it)" \
    has "virsh: read-only socket named"
has "virsh: read-only socket named" || diag "$T/ro-gone.out"
check "systemd-analyze verify passes the installed units without a warning" has "units: verified"
has "units: verified" || diag "$T/verify.out"
check "SIGTERM stops the installed daemon" has "daemon: stopped"
has "daemon: stopped" || diag "$T/inside.out"
# The state stayed in the temporary tree: nothing on the host.
check "the daemon's state was made under the installed prefix (in the test's tree)" \
    test -d "$D$localstatedir/lib/libvirt-bp/qemu"
finish
