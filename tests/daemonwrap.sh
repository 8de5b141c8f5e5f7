#!/bin/sh
# daemonwrap.sh: run a real-QEMU suite over libvirtd. make check runs
# tests/NAME.daemon (made by tests/qemu.inc.am), which runs this script:
# it runs the test program tests/NAME, unchanged, with
# VIR_TEST_TRANSPORT=daemon, so that each embed root of the suite is
# served by a libvirtd of its own and every call goes over its socket
# (see tests/testutilsdaemon.h). The same cases run over embed as
# tests/NAME.
#
#   daemonwrap.sh [--transport=daemon|ssh|tls] PROGRAM [ARGS...]
#                                       (make check passes --tap)
#
# --transport picks how the daemons are reached (VIR_TEST_TRANSPORT):
# their unix socket (the default), ssh to virt-ssh-helper, or TLS.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -u

# The cases that are embed-only by nature, left out of the daemon run (not
# run at all, so not reported): one a line, "PATH REASON". Keep each
# reason true; every other case runs over both transports.
EMBED_ONLY='
'

transport=daemon
case ${1:-} in
--transport=*) transport=${1#--transport=}; shift ;;
esac
prog=$1
shift
case $prog in
*/*) ;;
*) prog=./$prog ;;
esac

VIR_TEST_TRANSPORT=$transport
export VIR_TEST_TRANSPORT

# The excluded cases this program has.
skips=
nskips=0
all=$("$prog" -l 2>/dev/null | grep '^/') || all=
for path in $(printf '%s\n' "$EMBED_ONLY" | awk 'NF { print $1 }'); do
    if printf '%s\n' "$all" | grep -qxF -- "$path"; then
        skips="$skips -s $path"
        nskips=$((nskips + 1))
        printf '%s\n' "$EMBED_ONLY" | awk -v p="$path" \
            '$1 == p { $1 = ""; print "# embed-only, not run over the daemon: " p ":" $0 }'
    fi
done

if [ "$nskips" -eq 0 ]; then
    exec "$prog" "$@"
fi

# GLib reports a case left out with -s as skipped: drop those lines and
# number the others again, as if the cases were not registered.
status_file=$(mktemp "${TMPDIR:-/tmp}/daemonwrap.XXXXXX") || exit 1
# shellcheck disable=SC2086
{ "$prog" $skips "$@"; echo $? >"$status_file"; } |
    awk -v nskips="$nskips" '
        /^1\.\.[0-9]+$/ { sub(/^1\.\./, ""); print "1.." ($0 - nskips); next }
        /^ok [0-9]+ .*# SKIP by request \(-s option\)$/ { next }
        /^(not )?ok [0-9]+/ { n++; sub(/ok [0-9]+/, "ok " n); print; next }
        { print }
    '
rc=$(cat "$status_file")
rm -f "$status_file"
exit "$rc"
