#!/bin/sh
# The test command: install what is missing, build, run the whole suite.
# With CI=true it also turns warnings into errors, runs each fuzzer for
# 60 s (scripts/fuzz.sh) beside the plain build's tests, runs the suite
# again in an AddressSanitizer + UBSan build with make distcheck as an
# unprivileged user without QEMU beside its tests, runs the plain build's
# unit tests under valgrind memcheck (scripts/valgrind.sh), builds and
# checks the library --without-qemu, and fails if any QEMU is left
# running. Each stage prints the time it took ("time: ...").
# The last line is "N passed, N failed, N skipped", counted from the
# automake test results.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/scripts/install-deps.sh" || exit 1

status=0
: > "$top/_test-results.txt"

# How long each stage took, for keeping CI within its 20 minutes.
t0=$(date +%s)
took() {
    now=$(date +%s)
    echo "time: $1 took $((now - t0)) s"
    t0=$now
}

# The suites' tests run one more at a time than there are cores: much of
# their time they wait (for QEMU's replies, an sshd's handshake, a
# daemon, a timer). On the 2-core machine the plain build's make check
# took 462 s with -j2 and 340 s with -j3.
check_jobs=$(($(nproc) + 1))

# run_suite DIR [CONFIGURE ARGS...] [-- HOOK]: build in DIR, build its
# tests, call the function HOOK (if given: it starts what runs beside the
# tests), then make check.
run_suite() {
    dir=$1
    shift
    hook=
    args=
    while [ $# -gt 0 ]; do
        case $1 in
        --) hook=$2; break ;;
        *) args="$args $1" ;;
        esac
        shift
    done
    # shellcheck disable=SC2086
    BUILDDIR="$dir" "$top/scripts/build.sh" $args || { echo "build failed in $dir"; return 1; }
    rc=0
    (cd "$dir" && make -j"$(nproc)" check TESTS= >"$dir/check.out" 2>&1) || {
        echo "building the tests failed in $dir"; tail -n 40 "$dir/check.out"; return 1; }
    [ -n "$hook" ] && $hook
    (cd "$dir" && make -j"$check_jobs" check >"$dir/check.out" 2>&1) || rc=1
    grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' "$dir/check.out" || true
    if [ $rc -ne 0 ]; then
        # Show the failing tests' logs.
        for log in $(grep -l -E '^(not ok|Bail out)' $(find "$dir/tests" -name '*.log') 2>/dev/null); do
            echo "==== $log"; tail -n 60 "$log"
        done
    fi
    find "$dir/tests" -name '*.trs' -exec cat {} + >> "$top/_test-results.txt"
    return $rc
}

# run_counted NAME SECONDS SCRIPT ARGS...: run a script that prints one
# "PASS: NAME/..." or "FAIL: NAME/..." line a test, each counted as a
# test; it fails if one failed, if it ran none, or if it took over SECONDS.
run_counted() {
    name=$1
    secs=$2
    shift 2
    rc=0
    timeout -k 10 "$secs" "$@" >"$top/_build/$name.out" 2>&1 || rc=1
    counted "$name" $rc
}

# start_counted NAME SECONDS NICE SCRIPT ARGS...: the same, in the
# background at a lower CPU priority (nice NICE: what runs beside it comes
# first); wait_counted NAME reports it as run_counted.
start_counted() {
    name=$1
    secs=$2
    prio=$3
    shift 3
    rm -f "$top/_build/$name.rc"
    (rc=0
     timeout -k 10 "$secs" nice -n "$prio" "$@" >"$top/_build/$name.out" 2>&1 || rc=1
     echo $rc >"$top/_build/$name.rc") &
    eval "bg_$name=\$!"
}
wait_counted() {
    eval "wait \$bg_$1"
    counted "$1" "$(cat "$top/_build/$1.rc" 2>/dev/null || echo 1)"
}

# counted NAME RC: print a counted script's output and count its lines.
counted() {
    name=$1
    rc=$2
    out="$top/_build/$name.out"
    cat "$out"
    grep -E "^(PASS|FAIL): $name/" "$out" | sed 's/^\(PASS\|FAIL\):.*/:test-result: \1/' \
        >> "$top/_test-results.txt"
    grep -q "^PASS: $name/" "$out" || {
        echo "FAIL: $1 (no test of it ran)"
        echo ":test-result: FAIL" >> "$top/_test-results.txt"
        rc=1
    }
    return $rc
}

# finish_bg NAME: wait for what start_counted NAME started and count it;
# a failure if it was never started (the build it ran beside failed).
finish_bg() {
    if eval "[ -n \"\${bg_$1:-}\" ]"; then
        wait_counted "$1"
    else
        echo "FAIL: $1/all (not run: the build it runs beside failed)"
        echo ":test-result: FAIL" >> "$top/_test-results.txt"
        return 1
    fi
}

# What CI adds runs partly beside the two suites' tests: the fuzzers
# beside the plain build's tests, distcheck beside the sanitizer build's
# (start_counted), so that the tests come first. The cores are busy then
# too (the QEMUs the tests start count), so this saves less than the
# stages' own times: on the 2-core machine CI took 1526 s with the
# fuzzers beside the sanitizer tests and distcheck after them, 1442 s so.
# The fuzzers (scripts/fuzz.sh): each target 60 s from its seed corpus;
# each counts as a test, failed by a crash, leak or timeout. At nice 19
# they run on what the tests leave of the cores: in CI they replay the
# seeds and explore what idle time allows; `make fuzz` on an idle
# machine is where they explore. (Running more beside the tests did not
# make CI shorter: with distcheck and the sanitizer build's compilation
# beside the plain build's tests, that compilation still had 240 s to go
# when the tests ended; the cores are busy.)
start_fuzz() { start_counted fuzz 1200 19 "$top/scripts/fuzz.sh" 60; }
# The unit-test-only build (what make distcheck configures) must need
# neither root nor QEMU: distcheck as nobody with QEMU masked. It counts
# as one test, distcheck/unprivileged. A bound, so that a hung test fails
# the run instead of stalling it.
start_distcheck() {
    start_counted distcheck 1200 10 sh -c \
        'if "$1"; then echo "PASS: distcheck/unprivileged"; else echo "FAIL: distcheck/unprivileged"; fi' \
        sh "$top/scripts/distcheck-unprivileged.sh"
}

plain_hook=
[ "${CI:-}" = true ] && plain_hook="-- start_fuzz"
# shellcheck disable=SC2086
run_suite "$top/_build" $plain_hook || status=1
took "the build and make check"
# What the style bans (raw malloc, sprintf, tabs...), by grep.
(cd "$top/_build" && make -s syntax-check) || { echo "syntax-check failed"; status=1; }

if [ "${CI:-}" = true ]; then
    finish_bg fuzz || status=1
    took "the fuzzers (after the plain build's tests)"
    run_suite "$top/_build-asan" --enable-sanitizers -- start_distcheck || status=1
    took "the sanitizer build and its make check"
    finish_bg distcheck || status=1
    took "make distcheck as nobody (after the sanitizer build's tests)"
    # The unit tests under valgrind memcheck (scripts/valgrind.sh, on the
    # plain build's programs, the cases that need QEMU or root left out):
    # each program a test, failed by an error, a definite leak or a
    # failed case.
    run_counted valgrind 1800 env VALGRIND_BUILDDIR="$top/_build" \
        "$top/scripts/valgrind.sh" || status=1
    took "valgrind"
    # The client library without the QEMU driver builds, passes its
    # tests, and has no driver for qemu:///embed. One test too.
    if timeout -k 10 1200 "$top/scripts/check-without-qemu.sh"; then
        echo "PASS: scripts/check-without-qemu.sh"
        echo ":test-result: PASS" >> "$top/_test-results.txt"
    else
        echo "FAIL: scripts/check-without-qemu.sh"
        echo ":test-result: FAIL" >> "$top/_test-results.txt"
        status=1
    fi
    took "the build without the QEMU driver"
fi

# No test may leave a QEMU behind (tests run QEMU with a -name guest=...
# under their own temp roots; any qemu-system left now is a leak).
left=$(pgrep -f 'qemu-system-x86_64' || true)
if [ -n "$left" ]; then
    echo "error: QEMU processes left running after the suite: $left"
    ps -o pid,args -p $(echo $left | tr ' ' ',') || true
    kill -9 $left 2>/dev/null || true
    status=1
fi

# Nor a daemon: ours (src/remote/libvirtd, as libtool's lt-libvirtd too)
# or Debian's libvirtd and virtlogd that tests/remotepeertest.sh starts.
left=$(pgrep -f '(/src/remote/(\.libs/)?(lt-)?libvirtd|/usr/sbin/libvirtd|/usr/sbin/virtlogd)( |$)' || true)
if [ -n "$left" ]; then
    echo "error: daemons left running after the suite: $left"
    ps -o pid,args -p $(echo $left | tr ' ' ',') || true
    kill -9 $left 2>/dev/null || true
    status=1
fi

# Nor an sshd a test started (tests/testutilsssh.c, tests/remotesshtest.sh:
# their configs are named libvirt-bp-test-sshd_config), nor its sessions'
# virt-ssh-helpers; the host's own sshd is not one of them.
left=$(pgrep -f 'sshd .*-f [^ ]*/libvirt-bp-test-sshd_config( |$)' || true)
left="$left $(pgrep -x virt-ssh-helper || true)"
left=$(echo $left)
if [ -n "$left" ]; then
    echo "error: sshd or virt-ssh-helper left running after the suite: $left"
    ps -o pid,args -p $(echo $left | tr ' ' ',') || true
    kill -9 $left 2>/dev/null || true
    status=1
fi

# Nor a network namespace or veth pair of tests/remotetwohosttest.sh
# (lbp2h<pid>, lbpa<pid>).
left=$( (ip netns list 2>/dev/null | awk '$1 ~ /^lbp2h[0-9]+$/ { print $1 }'
         ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^lbpa[0-9]+@/ { sub(/@.*/, "", $2); print $2 }') || true)
left=$(echo $left)
if [ -n "$left" ]; then
    echo "error: network namespaces or links of a test left after the suite: $left"
    for x in $left; do
        ip netns del "$x" 2>/dev/null || ip link del "$x" 2>/dev/null || true
    done
    status=1
fi

passed=$(grep -c ':test-result: PASS' "$top/_test-results.txt" || true)
failed=$(grep -c -E ':test-result: (FAIL|ERROR|XPASS)' "$top/_test-results.txt" || true)
skipped=$(grep -c ':test-result: SKIP' "$top/_test-results.txt" || true)
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
    echo "error: $skipped test(s) skipped; CI runs every test, QEMU ones included"
    status=1
fi
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
