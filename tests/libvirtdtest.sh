#!/bin/sh
# libvirtdtest.sh: the built libvirtd end to end, emitting TAP: its options,
# a bad configuration refused with file:line:reason, the sockets' modes and
# group, the locked pid file, SIGTERM, SIGHUP with a bad and a good file,
# --timeout on an idle daemon, --daemon, and an unusable qemu_root.
#
# Every daemon runs on a temporary configuration (unix_sock_dir, qemu_root
# and the pid file in a temporary directory). Whatever way the script
# ends, every daemon it started is killed (the trap reads the pids it
# recorded and the pid files), and the directory is removed.
#
# The built daemon is $abs_top_builddir/src/remote/libvirtd ($LIBVIRTD
# overrides it).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
LIBVIRTD=${LIBVIRTD:-$builddir/src/remote/libvirtd}

T=$(mktemp -d "${TMPDIR:-/tmp}/libvirtdtest.XXXXXX") || exit 1
PIDS=

# Kill every daemon this script started: SIGTERM, then SIGKILL after 10 s.
killall_daemons() {
    for f in "$T"/*.pid; do
        [ -f "$f" ] && PIDS="$PIDS $(cat "$f" 2>/dev/null)"
    done
    for p in $PIDS; do
        case $p in ''|*[!0-9]*) continue ;; esac
        kill -TERM "$p" 2>/dev/null || continue
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$p" 2>/dev/null
    done
}
# Kill every QEMU of this test: any process naming this test's directory.
kill_qemus() {
    for p in $QPIDS; do
        kill -KILL "$p" 2>/dev/null
    done
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = "$$" ] && continue
        if tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF -- "$T/"; then
            kill -KILL "$p" 2>/dev/null
        fi
    done
}
QPIDS=
trap 'killall_daemons; kill_qemus; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
unset LIBVIRT_DEBUG LIBVIRT_LOG_FILE
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

# wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 on timeout.
wait_for() {
    limit=$(($1 * 10))
    shift
    i=0
    until "$@"; do
        i=$((i + 1))
        [ $i -ge $limit ] && return 1
        sleep 0.1
    done
    return 0
}
gone() { ! kill -0 "$1" 2>/dev/null; }
alive() { kill -0 "$1" 2>/dev/null; }
is_socket() { [ -S "$1" ]; }
not_there() { [ ! -e "$1" ]; }
has_line() { grep -q -- "$2" "$1" 2>/dev/null; }

# conf NAME [EXTRA LINES...]: a configuration in $T/NAME.conf whose
# sockets are in $T/NAME.run and QEMU root in $T/NAME.qemu.
conf() {
    c=$1
    shift
    {
        echo "unix_sock_dir = \"$T/$c.run\""
        echo "qemu_root = \"$T/$c.qemu\""
        for l in "$@"; do echo "$l"; done
    } >"$T/$c.conf"
}

# start NAME [OPTIONS...]: run the daemon on $T/NAME.conf in the
# background, pid file $T/NAME.pid, stderr in $T/NAME.err; its pid in $pid.
start() {
    c=$1
    shift
    "$LIBVIRTD" $SYSTEM -f "$T/$c.conf" -p "$T/$c.pid" "$@" 2>"$T/$c.err" &
    pid=$!
    PIDS="$PIDS $pid"
}

# wait_exit PID SECONDS: wait for a child, its status in $status; 1 if it
# did not end in time.
wait_exit() {
    if ! wait_for "$2" gone "$1"; then
        status=
        return 1
    fi
    wait "$1"
    status=$?
    return 0
}

# Not run by root (make distcheck as a user), the daemon would be that
# user's session daemon: these are the system daemon's tests.
SYSTEM=
[ "$(id -u)" = 0 ] || SYSTEM=--system

if [ ! -x "$LIBVIRTD" ]; then
    notok "the daemon $LIBVIRTD is built"
    echo "1..$n"
    exit 1
fi

# ------------------------------------------------------------------
# Options
# ------------------------------------------------------------------

if "$LIBVIRTD" --help >"$T/help" 2>&1; then
    missing=
    for o in --config --pid-file --daemon --verbose --timeout --listen --system --version --help; do
        grep -q -- "$o" "$T/help" || missing="$missing $o"
    done
    if [ -z "$missing" ]; then
        ok "libvirtd --help lists every option"
    else
        notok "libvirtd --help lacks$missing"
        diag "$T/help"
    fi
else
    notok "libvirtd --help exits 0"
    diag "$T/help"
fi

out=$("$LIBVIRTD" --version 2>&1)
case $out in
    "libvirtd (libvirt-bp) "[0-9]*.[0-9]*) ok "libvirtd --version: $out" ;;
    *) notok "libvirtd --version prints 'libvirtd (libvirt-bp) VERSION', not '$out'" ;;
esac

"$LIBVIRTD" --no-such-option >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "no-such-option" "$T/err"; then
    ok "an unknown option: one line naming it, exit 1"
else
    notok "an unknown option: one line naming it, exit 1 (got $rc)"
    diag "$T/err"
fi

"$LIBVIRTD" --timeout=-5 -f /dev/null -p "$T/x.pid" 2>"$T/err"
check "a negative --timeout is refused (exit 1)" [ $? -eq 1 ]

# ------------------------------------------------------------------
# The man page and the guide
# ------------------------------------------------------------------

MAN=${LIBVIRTD_MAN:-$srcdir/docs/libvirtd.8}
GUIDE=$srcdir/docs/daemon.md
KEYS="unix_sock_dir unix_sock_group unix_sock_rw_perms unix_sock_ro_perms
min_workers max_workers max_clients max_client_requests max_message_size
keepalive_interval keepalive_count log_level qemu_root
listen_tls listen_tcp tls_port listen_addr key_file cert_file ca_file
crl_file tls_no_sanity_certificate tls_no_verify_certificate
tls_allowed_dn_list tls_priority auth_tls"
if ! command -v groff >/dev/null 2>&1; then
    notok "groff (Debian package groff-base) is installed"
elif groff -ww -man -Tascii -P-cbou "$MAN" >"$T/man.txt" 2>"$T/man.err" && [ ! -s "$T/man.err" ]; then
    ok "libvirtd.8 renders without groff warnings"
else
    notok "libvirtd.8 renders without groff warnings"
    diag "$T/man.err"
fi
missing=
for o in $(grep -oE -- '--[a-z][a-z-]+' "$T/help" | sort -u); do
    grep -qF -- "$o" "$T/man.txt" || missing="$missing $o"
done
check "libvirtd.8 describes every option of libvirtd --help${missing:+ (lacks$missing)}" [ -z "$missing" ]
missing=
for k in $KEYS; do
    grep -q "^\.B.* $k\( \|$\)" "$MAN" || missing="$missing $k"
done
check "libvirtd.8 has an entry for every libvirtd.conf key${missing:+ (lacks$missing)}" [ -z "$missing" ]
missing=
for k in $KEYS; do
    grep -q "^| \`$k\` |" "$GUIDE" || missing="$missing $k"
done
check "docs/daemon.md has a row for every libvirtd.conf key${missing:+ (lacks$missing)}" [ -z "$missing" ]

# libvirtd.conf(5): every key with its type and default, the TLS keys too.
CONFMAN=$srcdir/docs/libvirtd.conf.5
TLSKEYS="listen_tls listen_tcp tls_port listen_addr key_file cert_file ca_file
crl_file tls_no_sanity_certificate tls_no_verify_certificate tls_allowed_dn_list
tls_priority auth_tls"
if groff -ww -man -Tascii -P-cbou "$CONFMAN" >"$T/conf5.txt" 2>"$T/conf5.err" && [ ! -s "$T/conf5.err" ]; then
    ok "libvirtd.conf.5 renders without groff warnings"
else
    notok "libvirtd.conf.5 renders without groff warnings"
    diag "$T/conf5.err"
fi
missing=
for k in $KEYS $TLSKEYS; do
    # ".BR key " (type)"", then a paragraph that says its default.
    if ! grep -q "^\.BR $k \" (\(string\|integer\|boolean\|list of strings\))\"$" "$CONFMAN" ||
       ! awk -v k="$k" '$0 ~ "^[.]BR " k " " { on = 1; next } on && /^[.]TP/ { exit } on && /Default/ { found = 1 } END { exit !found }' "$CONFMAN"; then
        missing="$missing $k"
    fi
done
check "libvirtd.conf.5 gives every key its type and default${missing:+ (lacks$missing)}" [ -z "$missing" ]

# ------------------------------------------------------------------
# A bad configuration: file, line, reason, exit 1
# ------------------------------------------------------------------

conf bad '# a comment' 'max_workers = "many"'
"$LIBVIRTD" $SYSTEM -f "$T/bad.conf" -p "$T/bad.pid" >"$T/out" 2>"$T/err"
rc=$?
want="libvirtd: $T/bad.conf:4: 'max_workers' must be an integer, not a string"
if [ $rc -eq 1 ] && [ "$(cat "$T/err")" = "$want" ]; then
    ok "a key of the wrong type: '$want', exit 1"
else
    notok "a key of the wrong type: '$want', exit 1 (got $rc)"
    diag "$T/err"
fi
check "the refused daemon left no socket, no pid file" \
    not_there "$T/bad.run/libvirt-sock"

# TLS (docs/tls.md; tests/remotetlstest.sh runs it): only TLS with
# certificates, and --listen with unusable certificates does not start.
conf tcp 'listen_tcp = 1'
"$LIBVIRTD" -f "$T/tcp.conf" -p "$T/tcp.pid" --listen >"$T/out" 2>"$T/err"
rc=$?
check "listen_tcp = 1 is refused (unencrypted TCP), exit 1" \
    eval '[ $rc -eq 1 ] && has_line "$T/err" "tcp.conf:3: .listen_tcp.: unencrypted TCP is not supported"'
conf nocert "ca_file = \"$T/none/cacert.pem\"" 'listen_addr = "127.0.0.1"' 'tls_port = "1"'
"$LIBVIRTD" -f "$T/nocert.conf" -p "$T/nocert.pid" --listen >"$T/out" 2>"$T/err"
rc=$?
check "--listen with a missing CA certificate exits 1 naming it" \
    eval '[ $rc -eq 1 ] && has_line "$T/err" "libvirtd: cannot set up TLS: cannot read the CA certificate .$T/none/cacert.pem.: No such file or directory"'
check "that daemon left no socket" not_there "$T/nocert.run/libvirt-sock"
check "the refused daemon left no pid file" not_there "$T/bad.pid"

conf bad2 'min_workers = 8' 'max_workers = 4'
"$LIBVIRTD" $SYSTEM -f "$T/bad2.conf" -p "$T/bad2.pid" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^libvirtd: $T/bad2.conf:3: 'min_workers': min_workers (8) must not exceed max_workers (4)$" "$T/err"; then
    ok "min_workers over max_workers refused with file:line, exit 1"
else
    notok "min_workers over max_workers refused with file:line, exit 1 (got $rc)"
    diag "$T/err"
fi

conf bad3 'max_clients = 5 ]'
"$LIBVIRTD" $SYSTEM -f "$T/bad3.conf" -p "$T/bad3.pid" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^libvirtd: $T/bad3.conf:3: expected the end of the line" "$T/err"; then
    ok "a syntax error refused with file:line, exit 1"
else
    notok "a syntax error refused with file:line, exit 1 (got $rc)"
    diag "$T/err"
fi

"$LIBVIRTD" $SYSTEM -f "$T/missing.conf" -p "$T/m.pid" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "$T/missing.conf" "$T/err"; then
    ok "a missing --config file is refused, exit 1"
else
    notok "a missing --config file is refused, exit 1 (got $rc)"
    diag "$T/err"
fi

# Hostile configuration files: never a hang, never a crash.
mkfifo "$T/fifo.conf"
for f in /dev/zero "$T/fifo.conf"; do
    timeout 30 "$LIBVIRTD" $SYSTEM -f "$f" -p "$T/h.pid" 2>"$T/err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^libvirtd: configuration file '$f' is not a regular file$" "$T/err"; then
        ok "--config $f is refused at once (not a regular file), exit 1"
    else
        notok "--config $f is refused at once (not a regular file), exit 1 (got $rc)"
        diag "$T/err"
    fi
done
head -c 100000 /dev/urandom >"$T/random.conf"
printf 'a = [ [ [ "\0' >>"$T/random.conf"
timeout 30 "$LIBVIRTD" $SYSTEM -f "$T/random.conf" -p "$T/h.pid" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^libvirtd: $T/random.conf:[0-9]*: " "$T/err"; then
    ok "random bytes as a configuration file: one line with file:line, exit 1"
else
    notok "random bytes as a configuration file: one line with file:line, exit 1 (got $rc)"
    diag "$T/err"
fi

# ------------------------------------------------------------------
# Running: sockets, modes, group, pid file, a second daemon
# ------------------------------------------------------------------

gid=$(id -g)
conf main 'unix_sock_rw_perms = "0770"' 'unix_sock_ro_perms = "0755"' \
    "unix_sock_group = \"+$gid\"" 'tcp_port = "16509"'
start main
main=$pid
if wait_for 60 is_socket "$T/main.run/libvirt-sock-ro"; then
    ok "the daemon listens on libvirt-sock and libvirt-sock-ro"
else
    notok "the daemon listens on libvirt-sock and libvirt-sock-ro"
    diag "$T/main.err"
fi
check "libvirt-sock has unix_sock_rw_perms 0770" \
    [ "$(stat -c %a "$T/main.run/libvirt-sock" 2>/dev/null)" = 770 ]
check "libvirt-sock-ro has unix_sock_ro_perms 0755" \
    [ "$(stat -c %a "$T/main.run/libvirt-sock-ro" 2>/dev/null)" = 755 ]
check "both sockets belong to unix_sock_group" \
    [ "$(stat -c %g "$T/main.run/libvirt-sock" "$T/main.run/libvirt-sock-ro" 2>/dev/null | sort -u)" = "$gid" ]
check "the pid file holds the daemon's pid" [ "$(cat "$T/main.pid" 2>/dev/null)" = "$main" ]
check "qemu_root was created 0700" [ "$(stat -c %a "$T/main.qemu" 2>/dev/null)" = 700 ]
check "the unknown key is ignored with a warning naming file and line" \
    has_line "$T/main.err" "warning: $T/main.conf:6: unknown setting 'tcp_port' ignored"

# A second daemon on the same pid file.
"$LIBVIRTD" $SYSTEM -f "$T/main.conf" -p "$T/main.pid" 2>"$T/err" &
second=$!
PIDS="$PIDS $second"
if wait_exit $second 30 && [ "$status" = 1 ] &&
   grep -q "^libvirtd: another libvirtd (pid $main) is running: the pid file '$T/main.pid' is locked$" "$T/err"; then
    ok "a second daemon on the same pid file refuses to start, naming the first"
else
    notok "a second daemon on the same pid file refuses to start, naming the first (status $status)"
    diag "$T/err"
fi
check "the first daemon's pid file is untouched" [ "$(cat "$T/main.pid" 2>/dev/null)" = "$main" ]

# A second daemon on the same sockets and qemu_root, another pid file.
"$LIBVIRTD" $SYSTEM -f "$T/main.conf" -p "$T/other.pid" 2>"$T/err" &
second=$!
PIDS="$PIDS $second"
if wait_exit $second 30 && [ "$status" = 1 ] &&
   [ "$(grep -vc '^libvirtd: warning: ' "$T/err")" -eq 1 ] &&
   grep -q "^libvirtd: .*$T/main" "$T/err"; then
    ok "a second daemon on the same root and sockets: one line naming them, exit 1"
else
    notok "a second daemon on the same root and sockets: one line naming them, exit 1 (status $status)"
    diag "$T/err"
fi
check "the first daemon still listens" is_socket "$T/main.run/libvirt-sock"

# SIGHUP: a bad file is logged, the old configuration kept.
cp "$T/main.conf" "$T/main.conf.good"
echo 'max_clients = "lots"' >>"$T/main.conf"
kill -HUP $main
if wait_for 30 has_line "$T/main.err" "SIGHUP: the configuration was not reloaded, the old one stays in force: $T/main.conf:7: 'max_clients' must be an integer"; then
    ok "SIGHUP with a bad file: the error is logged with file:line"
else
    notok "SIGHUP with a bad file: the error is logged with file:line"
    diag "$T/main.err"
fi
check "SIGHUP with a bad file: the daemon keeps running" alive $main
check "SIGHUP with a bad file: the sockets stay" is_socket "$T/main.run/libvirt-sock-ro"

# SIGHUP with a good file changing a start-only setting: said so.
sed 's/^unix_sock_ro_perms = .*/unix_sock_ro_perms = "0700"/' "$T/main.conf.good" >"$T/main.conf"
kill -HUP $main
if wait_for 30 has_line "$T/main.err" "change at the next start only"; then
    ok "SIGHUP with a good file: reloaded, a socket mode change is left for the next start"
else
    notok "SIGHUP with a good file: reloaded, a socket mode change is left for the next start"
    diag "$T/main.err"
fi
check "SIGHUP with a good file: the daemon keeps running" alive $main

# SIGTERM: exit 0, sockets and pid file gone, qemu_root kept.
kill -TERM $main
if wait_exit $main 60 && [ "$status" = 0 ]; then
    ok "SIGTERM: the daemon exits 0"
else
    notok "SIGTERM: the daemon exits 0 (status $status)"
    diag "$T/main.err"
fi
check "SIGTERM: libvirt-sock removed" not_there "$T/main.run/libvirt-sock"
check "SIGTERM: libvirt-sock-ro removed" not_there "$T/main.run/libvirt-sock-ro"
check "SIGTERM: the pid file removed" not_there "$T/main.pid"
check "SIGTERM: qemu_root kept" [ -d "$T/main.qemu" ]

# A daemon killed (SIGKILL) leaves a stale pid file and sockets: the next
# one takes them over.
start main
main=$pid
wait_for 60 is_socket "$T/main.run/libvirt-sock-ro"
kill -KILL $main
wait $main 2>/dev/null
start main
main=$pid
if wait_for 60 has_line "$T/main.pid" "^$main\$" && wait_for 60 is_socket "$T/main.run/libvirt-sock-ro" &&
   alive $main; then
    ok "after a SIGKILL, the next daemon takes over the stale pid file and sockets"
else
    notok "after a SIGKILL, the next daemon takes over the stale pid file and sockets"
    diag "$T/main.err"
fi
kill -INT $main
if wait_exit $main 60 && [ "$status" = 0 ] && not_there "$T/main.pid"; then
    ok "SIGINT: the daemon exits 0 and removes its pid file"
else
    notok "SIGINT: the daemon exits 0 and removes its pid file (status $status)"
fi

# ------------------------------------------------------------------
# --timeout: an idle daemon exits by itself
# ------------------------------------------------------------------

conf idle
start idle --timeout 2
idle=$pid
if wait_exit $idle 60 && [ "$status" = 0 ]; then
    ok "--timeout 2: the idle daemon exits 0 by itself"
else
    notok "--timeout 2: the idle daemon exits 0 by itself (status $status)"
    diag "$T/idle.err"
fi
check "--timeout: the pid file is removed" not_there "$T/idle.pid"
check "--timeout: the sockets are removed" not_there "$T/idle.run/libvirt-sock"

# ------------------------------------------------------------------
# Clients: served, read-only refusals, --timeout and SIGTERM with one
# ------------------------------------------------------------------

CLIENT=${LIBVIRTDCLIENT:-$builddir/tests/libvirtdclient}
conf cl
start cl
cl=$pid
wait_for 60 is_socket "$T/cl.run/libvirt-sock-ro"
out=$("$CLIENT" "$T/cl.run/libvirt-sock" count 2>&1)
check "a client of libvirt-sock opens qemu:///system and counts its domains ($out)" [ "$out" = 0 ]
out=$("$CLIENT" "$T/cl.run/libvirt-sock-ro" count 2>&1)
check "a client of libvirt-sock-ro opens and counts too ($out)" [ "$out" = 0 ]
echo "<domain type='qemu'><name>x</name></domain>" >"$T/x.xml"
out=$("$CLIENT" "$T/cl.run/libvirt-sock-ro" define "$T/x.xml" 2>&1)
case $out in
    "error: VIR_ERR_OPERATION_DENIED: "*) ok "a define through libvirt-sock-ro is refused: $out" ;;
    *) notok "a define through libvirt-sock-ro is refused with VIR_ERR_OPERATION_DENIED, not '$out'" ;;
esac
kill -TERM $cl
wait_exit $cl 60

# --timeout waits for the last client to go.
conf hold
mkfifo "$T/hold.in"
start hold --timeout 1
hold=$pid
wait_for 60 is_socket "$T/hold.run/libvirt-sock"
"$CLIENT" "$T/hold.run/libvirt-sock" hold <"$T/hold.in" >"$T/hold.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
exec 4>"$T/hold.in"
if wait_for 60 has_line "$T/hold.out" '^held$'; then
    ok "a client holds a connection to a daemon started with --timeout 1"
else
    notok "a client holds a connection to a daemon started with --timeout 1"
    diag "$T/hold.out"
fi
# A bounded observation window: the daemon would have gone within two
# seconds without the client.
sleep 4
check "--timeout 1: the daemon stays while a client is connected" alive $hold
exec 4>&-
if wait_exit $cpid 30 && [ "$status" = 0 ] && wait_exit $hold 60 && [ "$status" = 0 ]; then
    ok "--timeout 1: once the client has gone, the daemon exits 0"
else
    notok "--timeout 1: once the client has gone, the daemon exits 0 (status $status)"
    diag "$T/hold.err"
fi

# SIGTERM with a client connected: the client is closed, the daemon exits.
start hold
hold=$pid
wait_for 60 is_socket "$T/hold.run/libvirt-sock"
"$CLIENT" "$T/hold.run/libvirt-sock" hold <"$T/hold.in" >"$T/hold.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
exec 4>"$T/hold.in"
wait_for 60 has_line "$T/hold.out" '^held$'
kill -TERM $hold
if wait_exit $hold 60 && [ "$status" = 0 ]; then
    ok "SIGTERM with a client connected: the daemon exits 0"
else
    notok "SIGTERM with a client connected: the daemon exits 0 (status $status)"
    diag "$T/hold.err"
fi
if wait_exit $cpid 30 && [ "$status" = 3 ] && has_line "$T/hold.out" '^closed$'; then
    ok "SIGTERM with a client connected: the client's connection is closed"
else
    notok "SIGTERM with a client connected: the client's connection is closed (status $status)"
    diag "$T/hold.out"
fi
exec 4>&-

# SIGHUP applies new limits: max_clients lowered to 1 while a client is
# connected refuses the next one (the one there is kept). --verbose logs
# the reload on stderr.
conf lim
start lim --verbose
lim=$pid
wait_for 60 is_socket "$T/lim.run/libvirt-sock"
"$CLIENT" "$T/lim.run/libvirt-sock" hold <"$T/hold.in" >"$T/lim.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
exec 4>"$T/hold.in"
wait_for 60 has_line "$T/lim.out" '^held$'
out=$("$CLIENT" "$T/lim.run/libvirt-sock" count 2>&1)
check "max_clients 5000: a second client is served ($out)" [ "$out" = 0 ]
echo 'max_clients = 1' >>"$T/lim.conf"
kill -HUP $lim
if wait_for 30 has_line "$T/lim.err" "configuration reloaded"; then
    ok "--verbose: the reload is logged on stderr"
else
    notok "--verbose: the reload is logged on stderr"
    diag "$T/lim.err"
fi
out=$("$CLIENT" "$T/lim.run/libvirt-sock" count 2>&1)
case $out in
    error:*) ok "SIGHUP with max_clients = 1: a second client is refused ($out)" ;;
    *) notok "SIGHUP with max_clients = 1: a second client is refused, not '$out'" ;;
esac
check "SIGHUP with max_clients = 1: the client there is kept" alive $cpid
exec 4>&-
wait_exit $cpid 30
out=$("$CLIENT" "$T/lim.run/libvirt-sock" count 2>&1)
check "once it has gone, a new client is served ($out)" [ "$out" = 0 ]
kill -TERM $lim
wait_exit $lim 60

# ------------------------------------------------------------------
# --daemon: detaches, the pid file names the daemon
# ------------------------------------------------------------------

conf bg
if "$LIBVIRTD" $SYSTEM -d -f "$T/bg.conf" -p "$T/bg.pid" >"$T/bg.out" 2>"$T/bg.err"; then
    ok "--daemon: the command returns 0 once the daemon started"
else
    notok "--daemon: the command returns 0 once the daemon started"
    diag "$T/bg.err"
fi
bg=$(cat "$T/bg.pid" 2>/dev/null)
PIDS="$PIDS $bg"
check "--daemon: the sockets are there when the command returns" is_socket "$T/bg.run/libvirt-sock"
if [ -n "$bg" ] && alive "$bg" && tr '\0' ' ' <"/proc/$bg/cmdline" | grep -q libvirtd; then
    ok "--daemon: the pid file names the running daemon ($bg)"
else
    notok "--daemon: the pid file names the running daemon ('$bg')"
fi
if [ -n "$bg" ] && [ "$(readlink "/proc/$bg/fd/0")" = /dev/null ] &&
   [ "$(readlink "/proc/$bg/fd/1")" = /dev/null ] &&
   [ "$(readlink "/proc/$bg/fd/2")" = /dev/null ]; then
    ok "--daemon: stdin, stdout and stderr are /dev/null"
else
    notok "--daemon: stdin, stdout and stderr are /dev/null"
fi
sid=$(ps -o sid= -p "$bg" 2>/dev/null | tr -d ' ')
mysid=$(ps -o sid= -p $$ | tr -d ' ')
check "--daemon: the daemon is in a session of its own ($sid), not the test's ($mysid)" \
    [ -n "$sid" -a "$sid" != "$mysid" ]
kill -TERM "$bg" 2>/dev/null
if wait_for 60 gone "$bg" && not_there "$T/bg.pid"; then
    ok "--daemon: SIGTERM stops it and its pid file goes"
else
    notok "--daemon: SIGTERM stops it and its pid file goes"
fi

# --daemon failing at start: the error on the caller's stderr, exit 1.
conf bgbad
: >"$T/bgbad.qemu"
"$LIBVIRTD" $SYSTEM -d -f "$T/bgbad.conf" -p "$T/bgbad.pid" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
   grep -q "^libvirtd: cannot host the QEMU instance of qemu_root '$T/bgbad.qemu'" "$T/err"; then
    ok "--daemon with an unusable qemu_root (a file): one line naming it, exit 1"
else
    notok "--daemon with an unusable qemu_root (a file): one line naming it, exit 1 (got $rc)"
    diag "$T/err"
fi
check "--daemon that failed leaves no pid file" not_there "$T/bgbad.pid"

# ------------------------------------------------------------------
# A qemu_root others could change is refused
# ------------------------------------------------------------------

conf open
mkdir -p "$T/open.qemu"
chmod 0777 "$T/open.qemu"
"$LIBVIRTD" $SYSTEM -f "$T/open.conf" -p "$T/open.pid" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "qemu_root '$T/open.qemu'" "$T/err"; then
    ok "a world-writable qemu_root is refused in one line, exit 1"
else
    notok "a world-writable qemu_root is refused in one line, exit 1 (got $rc)"
    diag "$T/err"
fi

# ------------------------------------------------------------------
# The QEMU instance: VMs outlive the daemon, a new daemon takes them up
# ------------------------------------------------------------------

# A unit-test-only build (configure --disable-integration-tests) runs no
# QEMU: the tests above are all it has.
if [ "${VIR_TEST_INTEGRATION:-yes}" = no ]; then
    echo "1..$n"
    exit $fail
fi

VIRSH=${VIRSH:-$builddir/tools/virsh}
QEMU=$(command -v qemu-system-x86_64)
QEMU_IMG=$(command -v qemu-img)
if [ -z "$QEMU" ] || [ -z "$QEMU_IMG" ] || [ ! -x "$VIRSH" ]; then
    notok "qemu-system-x86_64, qemu-img and the built virsh are there (the VM tests need them)"
    echo "1..$n"
    exit 1
fi

# QEMU runs as an unprivileged user when we are root: it must reach the
# image; the driver refuses a qemu.conf others can write.
umask 022
chmod 0755 "$T"
mkdir -m 0755 "$T/images"
"$QEMU_IMG" create -q -f qcow2 "$T/images/vm.qcow2" 64M && chmod 0644 "$T/images/vm.qcow2"
cat >"$T/vm.xml" <<EOF
<domain type='qemu'>
  <name>libvirtdtest</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>$QEMU</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$T/images/vm.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
EMBED="qemu:///embed?root=$T/vm.qemu"
conf vm

# The VM is started in the daemon's root by another host of the root
# (virsh on qemu:///embed), which lets go of it running.
if "$VIRSH" -q -c "$EMBED" define "$T/vm.xml" >"$T/out" 2>&1 &&
   "$VIRSH" -q -c "$EMBED" start libvirtdtest >>"$T/out" 2>&1; then
    ok "a VM runs in qemu_root (started through qemu:///embed)"
else
    notok "a VM runs in qemu_root (started through qemu:///embed)"
    diag "$T/out"
fi
qpid=$(cat "$T/vm.qemu/run/qemu/libvirtdtest.pid" 2>/dev/null)
QPIDS="$qpid"

start vm --timeout 1
vm=$pid
if wait_for 60 is_socket "$T/vm.run/libvirt-sock-ro"; then
    ok "the daemon hosts the root with the running VM"
else
    notok "the daemon hosts the root with the running VM"
    diag "$T/vm.err"
fi
CLIENT=${LIBVIRTDCLIENT:-$builddir/tests/libvirtdclient}
out=$("$CLIENT" "$T/vm.run/libvirt-sock-ro" count 2>&1)
check "the daemon took the running VM up: a client counts 1 running domain ($out)" [ "$out" = 1 ]
# --timeout counts no time while a domain runs: the daemon, idle for one
# second, is still there well after (a bounded observation window, not a
# synchronisation: nothing is awaited).
sleep 4
check "--timeout 1: the idle daemon stays while a domain runs" alive $vm

kill -TERM $vm
if wait_exit $vm 60 && [ "$status" = 0 ]; then
    ok "SIGTERM with a VM running: the daemon exits 0"
else
    notok "SIGTERM with a VM running: the daemon exits 0 (status $status)"
    diag "$T/vm.err"
fi
check "SIGTERM: the VM's QEMU (${qpid:-no pid}) keeps running" alive "${qpid:-none}"

# A new daemon takes the VM up again, and lets go of it running again.
start vm
vm=$pid
wait_for 60 is_socket "$T/vm.run/libvirt-sock-ro"
out=$("$CLIENT" "$T/vm.run/libvirt-sock" count 2>&1)
check "a restarted daemon takes the running VM up again: 1 running domain ($out)" [ "$out" = 1 ]
kill -TERM $vm
if wait_exit $vm 60 && [ "$status" = 0 ] && alive "${qpid:-none}"; then
    ok "the restarted daemon leaves it running at exit"
else
    notok "the restarted daemon leaves it running at exit (status $status)"
    diag "$T/vm.err"
fi

"$VIRSH" -q -c "$EMBED" domstate libvirtdtest >"$T/out" 2>&1
if [ "$(cat "$T/out")" = running ]; then
    ok "after the daemons, the VM is still running and its state is the driver's"
else
    notok "after the daemons, the VM is still running and its state is the driver's"
    diag "$T/out"
fi
"$VIRSH" -q -c "$EMBED" destroy libvirtdtest >"$T/out" 2>&1
if wait_for 60 gone "${qpid:-none}"; then
    ok "the VM is destroyed through the root"
else
    notok "the VM is destroyed through the root"
    diag "$T/out"
fi
"$VIRSH" -q -c "$EMBED" undefine libvirtdtest >/dev/null 2>&1

echo "1..$n"
exit $fail
