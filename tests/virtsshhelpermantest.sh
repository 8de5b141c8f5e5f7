#!/bin/sh
# virtsshhelpermantest.sh: the man page docs/virt-ssh-helper.8 against the
# built virt-ssh-helper, emitting TAP; needs neither root nor QEMU.
#
# - groff renders the page with every warning on (-ww) and prints none;
# - its version (.TH) is the one "virt-ssh-helper --version" prints;
# - every option "virt-ssh-helper --help" lists, short and long, is in
#   the page's OPTIONS section and its SYNOPSIS;
# - the helper's behaviour the page states: one URI expected, an error
#   naming the socket and exit status 1 when no daemon listens there.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
HELPER=${VIRT_SSH_HELPER:-$builddir/tools/virt-ssh-helper}
MAN=${VIRT_SSH_HELPER_MAN:-$srcdir/docs/virt-ssh-helper.8}

T=$(mktemp -d "${TMPDIR:-/tmp}/virtsshhelperman.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
LC_ALL=C
export LC_ALL

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/#   /' "$1"; }

if [ ! -f "$MAN" ] || [ ! -x "$HELPER" ] || ! command -v groff >/dev/null 2>&1; then
    notok "the page ($MAN), the built helper ($HELPER) and groff (groff-base) are there"
    echo "1..$n"
    exit 1
fi

for dev in utf8 ascii; do
    groff -man -T"$dev" -ww -z "$MAN" >"$T/warn" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && [ ! -s "$T/warn" ]; then
        ok "groff -man -T$dev -ww renders $(basename "$MAN") without warnings"
    else
        notok "groff -man -T$dev -ww renders $(basename "$MAN") without warnings (exit status $rc)"
        diag "$T/warn"
    fi
done

groff -man -Tascii -P-cbou -rLL=3000n -rHY=0 "$MAN" >"$T/page" 2>/dev/null
# The sections as a reader sees them.
sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' "$T/page" >"$T/synopsis"
sed -n '/^OPTIONS/,/^EXIT STATUS/p' "$T/page" >"$T/options"

version=$("$HELPER" --version | awk '{ print $NF }')
if grep -q "^\.TH .*\"libvirt-bp $version\"" "$MAN"; then
    ok "the page's version is the helper's ($version)"
else
    notok "the page's version is the helper's ($version)"
fi

"$HELPER" --help >"$T/help" 2>&1
# "  -r, --readonly     ..." lines: every short and long option.
opts=$(sed -n 's/^  *\(-[A-Za-z]\), \(--[a-z-]*\).*/\1 \2/p' "$T/help")
if [ -z "$opts" ]; then
    notok "--help lists options"
    diag "$T/help"
fi
for pair in $(echo "$opts" | tr ' ' ','); do
    short=${pair%,*}
    long=${pair#*,}
    if grep -qE "^ +$short, $long( |$)" "$T/options" &&
       grep -qF -- "$short" "$T/synopsis" && grep -qF -- "$long" "$T/synopsis"; then
        ok "$short, $long is in OPTIONS and SYNOPSIS"
    else
        notok "$short, $long is in OPTIONS and SYNOPSIS"
    fi
done

"$HELPER" >"$T/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^virt-ssh-helper: expected one URI" "$T/out"; then
    ok "without a URI: exit status 1 and a message"
else
    notok "without a URI: exit status 1 and a message (got $rc)"
    diag "$T/out"
fi

"$HELPER" -r "qemu+unix:///system?socket=$T/none" </dev/null >"$T/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] &&
   grep -qF "virt-ssh-helper: cannot connect to '$T/none': No such file or directory" "$T/out"; then
    ok "no daemon at the socket: exit status 1, the socket and why named (DIAGNOSTICS)"
else
    notok "no daemon at the socket: exit status 1, the socket and why named (got $rc)"
    diag "$T/out"
fi

"$HELPER" "qemu+ssh://h/system" </dev/null >"$T/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "has transport 'ssh'" "$T/out"; then
    ok "a URI of another transport is refused"
else
    notok "a URI of another transport is refused (got $rc)"
    diag "$T/out"
fi

echo "1..$n"
