#!/bin/sh
# valgrind.sh: the unit tests under valgrind's memcheck.
#
# It configures and builds a tree of its own (VALGRIND_BUILDDIR, default
# _build-valgrind beside the sources) with --disable-integration-tests,
# -O1 -g and no sanitizers, or uses the configured tree VALGRIND_BUILDDIR
# names (not a sanitizer build; CI gives it the plain build), then runs
# each C unit-test program that `make check` runs in that tree (its
# Makefile lists them: make valgrind-tests), with the cases that need
# QEMU or root left out (VIR_TEST_INTEGRATION=no), under memcheck, two at
# a time. Each program is one test: one line
# "PASS: valgrind/NAME" or "FAIL: valgrind/NAME"; a failed one's valgrind
# report and the end of its output follow once all have run. Exits 1 if
# any failed. A tree that does not build is one "FAIL: valgrind/build".
# CI runs it (scripts/test.sh).
#
# A program fails when memcheck reports an error (invalid read or write,
# use of uninitialised values, bad free, fd misuse it knows of...) or a
# definitely lost block at exit, when the test itself fails, or when it
# takes over VALGRIND_TIMEOUT seconds (default 900). "Possibly lost" and
# "still reachable" blocks do not fail it (GLib's type system and other
# libraries' one-time state are reachable at exit); tests/valgrind.supp
# holds the few suppressions of third-party libraries' own one-time
# allocations, each with its reason (see docs/hacking.md).
#
# Only the C programs run under valgrind: the shell tests that `make
# check` runs in that tree (tests/libvirtdtest.sh, tests/installtest.sh,
# tests/virshtest.sh, tests/virshmantest.sh, tests/virtsshhelpermantest.sh)
# drive built programs through libtool's wrappers, daemons and sh, which
# valgrind cannot follow as a whole; they are listed as left out, with
# that reason, in each run's output. Programs the C tests start (libvirtd,
# ssh, the test programs testutilstest re-runs) run natively: valgrind
# traces the test program itself only.
#
# Environment: VALGRIND_BUILDDIR (the tree), VALGRIND_JOBS (programs at a
# time, default 2), VALGRIND_TIMEOUT (seconds a program, default 900),
# VALGRIND_TESTS (a space-separated subset, e.g. "tests/virxmltest"),
# VALGRIND_TRACK_ORIGINS=yes (where uninitialised values come from:
# slower), VALGRIND_OPTS (more valgrind options, e.g.
# --gen-suppressions=all).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${VALGRIND_BUILDDIR:-$top/_build-valgrind}
jobs=${VALGRIND_JOBS:-2}
out=$build/valgrind

# One program (run by xargs below): NAME is tests/PROG.
if [ "${1:-}" = --one ]; then
    name=$2
    base=${name#tests/}
    log=$out/$base.log
    vglog=$out/$base.vg
    cd "$build" || exit 1
    start=$(date +%s)
    # shellcheck disable=SC2086
    timeout -k 10 "${VALGRIND_TIMEOUT:-900}" ./libtool --mode=execute \
        valgrind --tool=memcheck --error-exitcode=99 \
        --leak-check=full --show-leak-kinds=definite \
        --errors-for-leak-kinds=definite \
        --track-origins="${VALGRIND_TRACK_ORIGINS:-no}" \
        --num-callers=40 --child-silent-after-fork=yes \
        --suppressions="$top/tests/valgrind.supp" ${VALGRIND_OPTS:-} \
        --log-file="$vglog" "./$name" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(($(date +%s) - start))
    case $rc in
    0) echo "PASS: valgrind/$base ($secs s)"; rm -f "$out/$base.failed" ;;
    99) echo "FAIL: valgrind/$base (memcheck errors, $secs s)"
        echo "memcheck errors" >"$out/$base.failed" ;;
    124|137) echo "FAIL: valgrind/$base (over ${VALGRIND_TIMEOUT:-900} s)"
        echo "timeout" >"$out/$base.failed" ;;
    *) echo "FAIL: valgrind/$base (the test failed: exit $rc, $secs s)"
       echo "exit $rc" >"$out/$base.failed" ;;
    esac
    exit 0
fi

command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/install-deps.sh)"; exit 1; }

# The tree. By default one of its own: unit tests only, no sanitizers,
# -O1 so that the reports' lines are close to the source; configured
# already: make alone (its rules rerun automake and config.status when a
# Makefile.am or configure.ac changed). A VALGRIND_BUILDDIR configured
# otherwise (CI gives the plain build, _build) is used as it is, its unit
# tests only (VIR_TEST_INTEGRATION=no below), unless it has the sanitizers:
# valgrind cannot run ASan programs.
if [ -f "$build/config.status" ]; then
    if "$build/config.status" --config | grep -q -- --enable-sanitizers; then
        echo "FAIL: valgrind/build ($build is a sanitizer build: valgrind cannot run it)"
        exit 1
    fi
    (cd "$build" && make -j"$jobs") >"$build.build.log" 2>&1
else
    BUILDDIR=$build "$top/scripts/build.sh" --disable-integration-tests \
        CFLAGS="-O1 -g" >"$build.build.log" 2>&1
fi || {
    echo "FAIL: valgrind/build (the build failed, see $build.build.log)"
    tail -n 40 "$build.build.log"
    exit 1
}
(cd "$build" && make -j"$jobs" check TESTS= >"$build.build.log" 2>&1) || {
    echo "FAIL: valgrind/build (building the tests failed, see $build.build.log)"
    tail -n 40 "$build.build.log"
    exit 1
}

all=$(cd "$build" && make -s valgrind-tests) || { echo "FAIL: valgrind/build (make valgrind-tests failed)"; exit 1; }
progs=
for t in $all; do
    case $t in
    *.sh) echo "valgrind: left out: $t (a shell script: see scripts/valgrind.sh)" ;;
    *) progs="$progs $t" ;;
    esac
done
[ -n "${VALGRIND_TESTS:-}" ] && progs=$VALGRIND_TESTS
[ -n "$progs" ] || { echo "FAIL: valgrind/build (no test program found)"; exit 1; }

rm -rf "$out"
mkdir -p "$out"
export G_SLICE=always-malloc G_DEBUG=gc-friendly
export abs_top_srcdir="$top" abs_top_builddir="$build" VIR_TEST_INTEGRATION=no
start=$(date +%s)
for p in $progs; do
    echo "$p"
done | xargs -P "$jobs" -n 1 sh "$0" --one
status=0
for p in $progs; do
    base=${p#tests/}
    [ -f "$out/$base.failed" ] || continue
    status=1
    echo "==== valgrind/$base: $(cat "$out/$base.failed"); memcheck's report ($out/$base.vg):"
    grep -v '^==[0-9]*== *$' "$out/$base.vg" | tail -n 150
    echo "==== valgrind/$base: the end of its output ($out/$base.log):"
    tail -n 30 "$out/$base.log"
done
echo "valgrind: $(echo "$progs" | wc -w) programs in $(($(date +%s) - start)) s"
exit $status
