#!/bin/sh
# Run examples/blockjob as a TAP test and check what it printed; whatever
# happens, no QEMU stays.
work=$(mktemp -d /tmp/blockjob-XXXXXX) || exit 1
out=$work.out
cleanup() {
    for p in "$work"/root/run/qemu/*.pid; do
        [ -f "$p" ] || continue
        pid=$(cat "$p")
        # Only a QEMU of this root: never a recycled pid.
        if grep -q "guest=" "/proc/$pid/cmdline" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null
        fi
    done
    rm -rf "$work" "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
echo "1..2"
if "${abs_top_builddir:-.}/examples/blockjob" "$work" >"$out" 2>&1; then
    echo "ok 1 - examples/blockjob"
else
    sed 's/^/# /' "$out"
    echo "not ok 1 - examples/blockjob"
fi
# What a reader of the example sees: the job polled while it ran (type
# pull, the 16 MiB/s limit), then gone; the middle image given back; the
# abort with nothing left; the data unchanged.
if grep -Eq "^job: pull [0-9]+ of [0-9]+ bytes, limit 16 MiB/s$" "$out" &&
   grep -Eq "^job: (copied, and gone|none left)$" "$out" &&
   grep -q "^top image's backing file: $work/base.raw$" "$out" &&
   grep -q "^after the rebase: $work/mid.qcow2 left the chain and is given back$" "$out" &&
   grep -Eq "^job: pull [0-9]+ of [0-9]+ bytes, limit 1 MiB/s$" "$out" &&
   grep -q "^abort: no job left$" "$out" &&
   grep -q "^after the abort: the chain is still top -> base$" "$out" &&
   grep -q "^the guest sees the same data as before$" "$out" &&
   grep -q "^block job example: all checks passed$" "$out"; then
    echo "ok 2 - examples/blockjob printed every step"
else
    sed 's/^/# /' "$out"
    echo "not ok 2 - examples/blockjob printed every step"
fi
