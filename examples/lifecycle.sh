#!/bin/sh
# Run examples/lifecycle as a TAP test; whatever happens, no QEMU stays.
work=$(mktemp -d /tmp/lifecycle-XXXXXX)
cleanup() {
    for p in "$work"/root/run/qemu/*.pid; do
        # Only a QEMU of ours: a stale pid file may name a recycled pid.
        [ -f "$p" ] && grep -q "guest=" "/proc/$(cat "$p")/cmdline" 2>/dev/null &&
            kill -9 "$(cat "$p")" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
echo "1..1"
if "${abs_top_builddir:-.}/examples/lifecycle" "$work" >"$work.out" 2>&1; then
    echo "ok 1 - examples/lifecycle"
else
    sed 's/^/# /' "$work.out"
    echo "not ok 1 - examples/lifecycle"
fi
rm -f "$work.out"
