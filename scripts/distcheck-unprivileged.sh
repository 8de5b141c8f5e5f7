#!/bin/sh
# make distcheck as CI wants it honest: as an unprivileged user (nobody),
# with the QEMU binaries masked, so that --disable-integration-tests (which
# distcheck configures) is shown to need neither root nor QEMU. Needs root
# (to mask the binaries in a mount namespace of its own and drop to nobody).
# Prints the last lines of the log on failure; exits non-zero then.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "distcheck-unprivileged: must run as root" >&2
    exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/distcheck.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir "$work/src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z | xargs -0 tar -cf -) | tar -xf - -C "$work/src"
else
    (cd "$top" && tar --exclude='./_build*' -cf - .) | tar -xf - -C "$work/src"
fi
chown -R 65534:65534 "$work/src"

log=$work/distcheck.log
unshare -m sh -c '
    for b in qemu-system-x86_64 qemu-img qemu-io; do
        p=$(command -v $b) && mount --bind /bin/false "$p"
    done
    exec setpriv --reuid=65534 --regid=65534 --clear-groups \
        env HOME="$1" sh -c "cd \"\$HOME/src\" && autoreconf -fi && ./configure --quiet --disable-integration-tests && make -j\$(nproc) distcheck"
' sh "$work" >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    echo "distcheck-unprivileged: make distcheck as nobody, QEMU masked, failed:"
    tail -n 60 "$log"
    exit 1
fi
grep -A2 "archives ready" "$log" | head -3
exit 0
