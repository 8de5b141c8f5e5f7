#!/bin/sh
# Run examples/blockpull as a TAP test; whatever happens, no QEMU stays.
work=$(mktemp -d /tmp/blockpull-XXXXXX) || exit 1
cleanup() {
    for p in "$work"/root/run/qemu/*.pid; do
        [ -f "$p" ] || continue
        pid=$(cat "$p")
        # Only a QEMU of this root: never a recycled pid.
        if grep -q "guest=" "/proc/$pid/cmdline" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null
        fi
    done
    rm -rf "$work" "$work.out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
echo "1..1"
if "${abs_top_builddir:-.}/examples/blockpull" "$work" >"$work.out" 2>&1; then
    echo "ok 1 - examples/blockpull"
else
    sed 's/^/# /' "$work.out"
    echo "not ok 1 - examples/blockpull"
fi
