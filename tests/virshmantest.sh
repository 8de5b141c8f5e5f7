#!/bin/sh
# virshmantest.sh: the man page tools/virsh.1 against the built virsh,
# emitting TAP; needs no QEMU (runs in make distcheck too).
#
# - groff renders the page with every warning on (-ww) and prints none;
# - its version (.TH) is the one "virsh -v" prints;
# - every option of "virsh --help" is in its OPTIONS section;
# - every command "virsh help" lists has exactly one section (.SS NAME)
#   under its group's heading (the group's name in capitals, then
#   "COMMANDS"), whose synopsis is the one "virsh help NAME" prints
#   (positional arguments by their names; a metavariable of ours stands
#   for <string> or <number>), and which has an entry (.TP) for each
#   option that "virsh help NAME" lists: "--opt" or "[--opt] name";
# - no command section names a command virsh does not have.
# Each failure names the command or option missing, so that the page
# cannot fall behind the code.
#
# The built virsh is $abs_top_builddir/tools/virsh ($VIRSH overrides it),
# the page $abs_top_srcdir/tools/virsh.1 ($VIRSH_MAN overrides it).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
VIRSH=${VIRSH:-$builddir/tools/virsh}
MAN=${VIRSH_MAN:-$srcdir/tools/virsh.1}

T=$(mktemp -d "${TMPDIR:-/tmp}/virshmantest.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
# Neither a bad log level nor a log on stderr may spoil virsh's output.
unset LIBVIRT_DEBUG LIBVIRT_LOG_FILE
LC_ALL=C
export LC_ALL

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    fail=1
}
# diag FILE: FILE's lines as TAP comments.
diag() { sed 's/^/#   /' "$1"; }

# ------------------------------------------------------------------
# The page renders without warnings
# ------------------------------------------------------------------

if [ ! -f "$MAN" ]; then
    notok "the man page $MAN exists"
    echo "1..$n"
    exit 1
fi
if ! command -v groff >/dev/null 2>&1; then
    notok "groff (Debian package groff-base, see scripts/install-deps.sh) is installed"
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

# The text as a reader sees it, without fonts, on lines too long to wrap:
# section headings at column 0, .SS at column 3, text and .TP tags at 7.
if ! groff -man -Tascii -P-cbou -rLL=3000n -rHY=0 "$MAN" >"$T/page" 2>"$T/warn"; then
    notok "groff renders the page as plain text"
    diag "$T/warn"
    echo "1..$n"
    exit 1
fi

# ------------------------------------------------------------------
# virsh itself
# ------------------------------------------------------------------

if [ ! -x "$VIRSH" ]; then
    notok "virsh is built ($VIRSH)"
    echo "1..$n"
    exit 1
fi

version=$("$VIRSH" -v 2>&1)
thver=$(sed -n 's/^\.TH  *[^ ]*  *[^ ]*  *[^ ]*  *"[^"]* \([^" ]*\)".*/\1/p' "$MAN")
if [ -n "$version" ] && [ "$thver" = "$version" ]; then
    ok "the page's .TH names virsh's version $version"
else
    notok "the page's .TH names version '$thver', virsh -v prints '$version'"
fi

# The lines of section $1 (a heading at column 0) of the rendered page.
section() {
    awk -v h="$1" '
        /^[^ ]/ { in_s = ($0 == h); next }
        in_s { print }' "$T/page"
}

"$VIRSH" --help >"$T/usage" 2>&1
section OPTIONS >"$T/options"
# The options of the usage: the lines between "options:" and "commands".
opts=$(sed -n '/^ *options:/,/^ *commands/p' "$T/usage" |
       grep -oE -- '(^|[ |])--?[A-Za-z][a-z-]*' | sed 's/^[ |]*//' | sort -u)
missing=
for o in $opts; do
    grep -qE -- "(^|[ ,])$o([],=[ ]|$)" "$T/options" || missing="$missing $o"
done
if [ -z "$opts" ]; then
    notok "virsh --help lists virsh's options"
    diag "$T/usage"
elif [ -z "$missing" ]; then
    ok "OPTIONS describes each of virsh's options: $(echo $opts)"
else
    notok "OPTIONS lacks virsh's option(s):$missing"
fi

# ------------------------------------------------------------------
# Every command, under its group, with its synopsis and options
# ------------------------------------------------------------------

if ! "$VIRSH" help >"$T/help" 2>&1; then
    notok "virsh help lists the commands"
    diag "$T/help"
    echo "1..$n"
    exit 1
fi
# GROUP-NAME<TAB>COMMAND, one command a line.
awk '
    /^ [^ ].* \(help keyword .*\):$/ {
        g = $0
        sub(/^ /, "", g)
        sub(/ \(help keyword .*$/, "", g)
        next
    }
    /^    [^ ]/ && g != "" { print g "\t" $1 }' "$T/help" >"$T/cmds"
if [ ! -s "$T/cmds" ]; then
    notok "virsh help lists the commands by group"
    diag "$T/help"
    echo "1..$n"
    exit 1
fi

# HEADING<TAB>COMMAND for each .SS of the page (column 3) under a heading
# ending in "COMMANDS".
awk '
    /^[^ ]/ { h = $0; next }
    /^   [^ ]/ && h ~ / COMMANDS$/ { s = $0; sub(/^ +/, "", s); print h "\t" s }
' "$T/page" >"$T/mansections"

# The lines of the section of command $1.
cmdsection() {
    awk -v c="   $1" '
        /^[^ ]/ || /^   [^ ]/ { in_s = ($0 == c); next }
        in_s { print }' "$T/page"
}

tab=$(printf '\t')
while IFS="$tab" read -r group cmd; do
    want=$(printf '%s COMMANDS' "$group" | tr '[:lower:]' '[:upper:]')
    count=$(grep -c "${tab}${cmd}\$" "$T/mansections")
    heading=$(grep "${tab}${cmd}\$" "$T/mansections" | cut -f1)
    if [ "$count" -eq 0 ]; then
        notok "command '$cmd' has a section (.SS $cmd) in $(basename "$MAN") under '$want'"
        continue
    fi
    if [ "$count" -gt 1 ]; then
        notok "command '$cmd' has $count sections in $(basename "$MAN"), not one"
        continue
    fi
    problems=
    [ "$heading" = "$want" ] ||
        problems="$problems; it is under '$heading', not '$want'"

    "$VIRSH" help "$cmd" >"$T/cmdhelp" 2>&1
    code=$(awk '/^  SYNOPSIS$/ { getline; sub(/^ +/, ""); print; exit }' "$T/cmdhelp" |
           sed -e 's/--\([a-z][a-z-]*\) <[a-z]*>/--\1 V/g' -e 's/<\([a-z][a-z-]*\)>/\1/g')
    cmdsection "$cmd" >"$T/sect"
    page=$(awk -v c="$cmd" '
               $1 == c { sub(/^ +/, ""); gsub(/ +/, " "); sub(/ $/, ""); print; exit }' "$T/sect" |
           sed -e 's/--\([a-z][a-z-]*\) [A-Za-z][A-Za-z0-9_]*/--\1 V/g')
    if [ -z "$code" ]; then
        problems="$problems; virsh help $cmd prints no synopsis"
    elif [ "$page" != "$code" ]; then
        problems="$problems; its synopsis '$page' is not virsh's '$code'"
    fi

    # The options "virsh help CMD" lists, each by its name.
    for o in $(awk '/^  OPTIONS$/ { on = 1; next }
                    on && /^    / { s = $1; gsub(/[][]/, "", s); print s }' "$T/cmdhelp"); do
        grep -qE -- "^       \\[?$o([] ]|\$)" "$T/sect" ||
            problems="$problems; option $o has no entry"
    done

    if [ -z "$problems" ]; then
        ok "command '$cmd': section under '$want', synopsis and every option"
    else
        notok "command '$cmd' in $(basename "$MAN"): ${problems#; }"
    fi
done <"$T/cmds"

# No section for a command that is gone.
extra=
for s in $(cut -f2 "$T/mansections"); do
    grep -q "${tab}${s}\$" "$T/cmds" || extra="$extra $s"
done
if [ -z "$extra" ]; then
    ok "every command section of the page is a command of virsh"
else
    notok "the page has sections for command(s) virsh does not have:$extra"
fi

echo "1..$n"
exit $fail
