#!/bin/sh
# The client library without src/qemu: ./configure --without-qemu in a
# build directory of its own, make, make check (its unit tests: the
# tests that need the QEMU driver are left out, and the integration
# tests, which need root and start daemons, run in the full build), and
# the two facts that show the driver model holds: qemu:///embed has no driver ("no connection driver available"),
# test:///default works, and no symbol of src/qemu is in the library.
# Run from anywhere; BUILDDIR (default _build-noqemu) is kept for a look.
# Prints the last lines of the log on failure; exits non-zero then.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-"$top/_build-noqemu"}
log=$builddir/check-without-qemu.log
werror=
[ "${CI:-}" = true ] && werror=--enable-werror

fail() {
    echo "check-without-qemu: $1" >&2
    [ -f "$log" ] && tail -n 40 "$log" >&2
    exit 1
}

cd "$top" || exit 1
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    autoreconf -fi >/dev/null 2>&1 || fail "autoreconf failed"
fi
mkdir -p "$builddir" && cd "$builddir" || exit 1
: > "$log"
"$top/configure" --quiet --without-qemu --disable-integration-tests $werror >>"$log" 2>&1 || fail "configure failed"
make -j"$(nproc)" >>"$log" 2>&1 || fail "make failed"
make -j"$(($(nproc) + 1))" check >>"$log" 2>&1 || fail "make check failed"

if nm src/.libs/libvirt-bp.so | grep -q ' qemu'; then
    fail "the library has symbols of src/qemu"
fi
out=$(./tools/virsh -c 'qemu:///embed?root=/nonexistent/embed' list 2>&1) &&
    fail "qemu:///embed opened without the QEMU driver"
case $out in
    *"no connection driver available for 'qemu:///embed?root=/nonexistent/embed' (this build supports test:///default, qemu:///system, qemu:///session, qemu+unix:///system?socket=PATH, qemu+ssh://[user@]host/system, qemu+tls://host/system)"*) ;;
    *) fail "unexpected error for qemu:///embed: $out" ;;
esac
./tools/virsh -c test:///default list | grep -q ' test .*running' ||
    fail "test:///default does not list its running domain"
echo "check-without-qemu: ok"
