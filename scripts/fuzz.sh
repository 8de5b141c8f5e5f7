#!/bin/sh
# fuzz.sh [SECONDS]: build the libFuzzer targets of fuzz/ with clang
# (AddressSanitizer, UBSan, libFuzzer; the parsers' own sources compiled
# in, so that the fuzzer sees their branches) into BUILDDIR/fuzz (BUILDDIR
# defaults to _build, whose generated headers it uses), and run
# each for SECONDS (default 60) from its seed corpus fuzz/corpus/NAME.
# A crash, a leak, an input that takes over 10 s or a run that does not
# end fails it. Prints one "PASS:"/"FAIL:" line a target; exits 1 if any
# failed. `make fuzz` runs it; CI runs it with 60 s a target.
#
# Targets: uri (the remote driver's URI parsing), conf (libvirtd.conf:
# virconf and every key's checks).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
build=${BUILDDIR:-$top/_build}
out=$build/fuzz

# The generated headers (config.h, the rpc protocol) come from the
# normal build: made first if it is not there.
if [ ! -f "$build/config.h" ] || [ ! -f "$build/src/rpc/virnetprotocol.h" ]; then
    BUILDDIR=$build "$top/scripts/build.sh" >/dev/null || { echo "fuzz: the build failed"; exit 1; }
fi
mkdir -p "$out"

CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "fuzz: $CC is not installed (scripts/install-deps.sh)"; exit 1; }
# shellcheck disable=SC2046
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
-I$build -I$build/src -I$top/src -I$top/include
-DLOCALSTATEDIR=\"/fuzz/var\" -DSYSCONFDIR=\"/fuzz/etc\"
-DRUNSTATEDIR=\"/fuzz/run\" -DSBINDIR=\"/fuzz/sbin\"
$(pkg-config --cflags glib-2.0 libxml-2.0 json-c libtirpc)"
LIBS=$(pkg-config --libs glib-2.0 libxml-2.0 json-c libtirpc)
UTIL="src/util/virerror.c src/util/virlog.c src/util/virenum.c src/util/virfile.c
src/util/virid.c src/util/virconf.c"

# target NAME SOURCES...
target() {
    name=$1
    shift
    # shellcheck disable=SC2086
    (cd "$top" && $CC $CFLAGS -o "$out/fuzz-$name" "fuzz/fuzz-$name.c" "$@" $UTIL $LIBS) \
        >"$out/fuzz-$name.build.log" 2>&1
}

status=0
for t in uri conf; do
    case $t in
    uri) srcs="src/remote/remote_uri.c src/remote/remote_session.c" ;;
    conf) srcs="src/remote/remote_daemon_config.c" ;;
    esac
    # shellcheck disable=SC2086
    if ! target "$t" $srcs; then
        echo "FAIL: fuzz/$t (build; see $out/fuzz-$t.build.log)"
        tail -n 20 "$out/fuzz-$t.build.log"
        status=1
        continue
    fi
    # A copy of the seeds: what the run finds stays out of the tree.
    rm -rf "$out/corpus-$t" && cp -r "$top/fuzz/corpus/$t" "$out/corpus-$t"
    if timeout -k 10 $((secs + 120)) "$out/fuzz-$t" -max_total_time="$secs" \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/$t-" \
        "$out/corpus-$t" >"$out/fuzz-$t.log" 2>&1; then
        echo "PASS: fuzz/$t ($(grep -Eo 'Done [0-9]+ runs' "$out/fuzz-$t.log" | tail -n 1) in $secs s)"
    else
        echo "FAIL: fuzz/$t (the input is in $out/$t-*)"
        tail -n 40 "$out/fuzz-$t.log"
        status=1
    fi
done
exit $status
