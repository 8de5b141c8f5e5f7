#!/bin/sh
# virshtest.sh: virsh end to end, emitting TAP: first what needs no VM, then
# a domain's lifecycle and a block pull on a real QEMU (TCG), through an
# embedded driver (qemu:///embed?root=DIR) in a temporary directory.
#
# The built virsh is $abs_top_builddir/tools/virsh ($VIRSH overrides it).
# Every QEMU this test starts is killed on exit, also on failure.
# VIRSHTEST_SKIP_BLOCKPULL=1 reports the block pull tests as skipped.
# VIR_TEST_INTEGRATION=no (set by make check after configure
# --disable-integration-tests) stops before the first test that needs QEMU.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

if [ -z "$VIRSH" ]; then
    if [ -n "$abs_top_builddir" ]; then
        VIRSH=$abs_top_builddir/tools/virsh
    else
        VIRSH=$(cd "$(dirname "$0")/.." && pwd)/tools/virsh
    fi
fi

# The driver refuses a qemu.conf others can write: whatever umask we got.
umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/virshtest.XXXXXX") || exit 1
# QEMU runs as an unprivileged user when we are root: it must reach the images.
chmod 0755 "$T"
ROOT=$T/root
URI="qemu:///embed?root=$ROOT"
NAME=virshtest
n=0
unset LIBVIRT_DEFAULT_URI VIRSH_DEFAULT_CONNECT_URI

# Kill every QEMU started under $ROOT: from the pid files, and any process
# whose command line names this test's unique directory.
kill_qemus() {
    if [ -d "$ROOT" ]; then
        find "$ROOT" -name '*.pid' -type f 2>/dev/null | while read -r f; do
            pid=$(cat "$f" 2>/dev/null)
            case "$pid" in
            ''|*[!0-9]*) ;;
            *) kill -9 "$pid" 2>/dev/null ;;
            esac
        done
    fi
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [ "$pid" = "$$" ] && continue
        if tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -qF -- "$T/"; then
            kill -9 "$pid" 2>/dev/null
        fi
    done
}

cleanup() {
    kill_qemus
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# run ARGS...: run virsh, leaving stdout in $T/out, stderr in $T/err and
# the exit status in $RC.
run() {
    timeout -k 5 300 "$VIRSH" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

# runin INPUT ARGS...: the same, with INPUT on stdin.
runin() {
    input=$1
    shift
    printf '%s' "$input" | timeout -k 5 300 "$VIRSH" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    echo "#   exit status: $RC"
    sed 's/^/#   stdout: /' "$T/out" 2>/dev/null
    sed 's/^/#   stderr: /' "$T/err" 2>/dev/null
}

skip() {
    n=$((n + 1))
    echo "ok $n # SKIP $1"
}

# check DESC COMMAND...: one test, passing if COMMAND succeeds.
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}

out_has() { grep -qE -- "$1" "$T/out"; }
out_is() { printf '%s\n' "$1" | cmp -s - "$T/out"; }
err_first() { [ "$(head -n 1 "$T/err")" = "$1" ]; }
err_has() { grep -qE -- "$1" "$T/err"; }
status() { [ "$RC" -eq "$1" ]; }

ALLCMDS="help version uri connect quit exit list define undefine start create
destroy dominfo domstate dumpxml domblklist domid domname domuuid blockpull
blockpullinfo blockpullabort blockjob event suspend resume"

# ------------------------------------------------------------------
# Without a VM
# ------------------------------------------------------------------

check "virsh is built" test -x "$VIRSH"

run help
lists_all() {
    status 0 || return 1
    for c in $ALLCMDS; do
        grep -qE "^    $c +[^ ]" "$T/out" || { echo "# '$c' missing"; return 1; }
    done
}
check "help lists every command" lists_all

help_each() {
    for c in $ALLCMDS; do
        run help "$c"
        status 0 && out_has "^    $c - " && out_has '^  SYNOPSIS$' || return 1
    done
}
check "help COMMAND describes each command" help_each

run start --help
check "COMMAND --help prints its help" eval 'status 0 && out_has "^    start <domain>"'

run help nosuch
check "help of an unknown command fails" \
    eval 'status 1 && err_first "error: command or command group '"'nosuch'"' doesn'"'"'t exist"'

run -v
check "-v prints the version" eval 'status 0 && out_has "^[0-9]+\.[0-9]+\.[0-9]+$"'

run -h
check "-h prints the usage" eval 'status 0 && out_has "virsh \[options\]"'

run nosuchcmd
check "unknown command" eval 'status 1 && err_first "error: unknown command: '"'nosuchcmd'"'"'

run -c "$URI" start
check "missing argument" \
    eval 'status 1 && err_first "error: command '"'start'"' requires <domain> option"'

run -c "$URI" list --bogus
check "unknown option" \
    eval 'status 1 && err_first "error: command '"'list'"' doesn'"'"'t support option --bogus"'

run -c "$URI" blockpull dom vda --verbose
check "blockpull --verbose needs --wait" \
    eval 'status 1 && err_first "error: Option --wait is required by option --verbose"'

run -c "$URI" blockpull dom vda --step --wait
check "blockpull --step and --wait exclude each other" \
    eval 'status 1 && err_first "error: Options --step and --wait are mutually exclusive"'

# The shell's grammar: how options and words are read, and what it says
# when they are wrong. A command with a syntax error runs nothing.
run -c "$URI" list --all --all
check "an option given twice" \
    eval 'status 1 && err_first "error: option --all already seen"'

run -c "$URI" list --all=yes
check "a value after a bool option" \
    eval 'status 1 && err_first "error: invalid '"'='"' after option --all"'

run -c "$URI" dominfo --domain
check "an option without its value" \
    eval 'status 1 && err_first "error: expected syntax: --domain <string>"'

run -c "$URI" start one two
check "a word no option takes" \
    eval 'status 1 && err_first "error: unexpected data '"'two'"'"'

run -c "$URI" event --all --timeout=soon
check "--opt=value of a number that is not one" \
    eval 'status 1 && err_first "error: Numeric value '"'soon'"' for <timeout> option is malformed or out of range"'

run -c "$URI" "uri; dominfo 'open"
check "an unmatched quote runs no command" \
    eval 'status 1 && err_first "error: missing '"'"'" && [ ! -s "$T/out" ]'

run -c "$URI" "uri; nosuchcmd"
check "an unknown command runs none of the line" \
    eval 'status 1 && err_first "error: unknown command: '"'nosuchcmd'"'" && [ ! -s "$T/out" ]'

run -c "$URI" 'dominfo --domain="a\"b\\c"'
check "quotes and backslashes are read as a shell reads them" \
    eval 'status 1 && err_first "error: failed to get domain '"'"'a\"b\\c'"'"'"'

run -c "$URI" dominfo -- --x
check "after -- every word is data" \
    eval 'status 1 && err_first "error: failed to get domain '"'--x'"'"'

run -c "$URI" "dominfo nosuchdom; uri # a comment"
check "a failed command does not stop the next; # starts a comment" \
    eval 'status 0 && out_is "
qemu:///embed?root=$ROOT
"'

run -c
check "-c without a URI" \
    eval 'status 1 && err_first "error: option '"'-c'"' requires an argument"'

run --bogus
check "an unknown global option" \
    eval 'status 1 && err_first "error: unsupported option '"'--bogus'"'. See --help."'

run help pull
check "help KEYWORD lists the group" \
    eval 'status 0 && out_has "^ Block Pull \(help keyword '"'pull'"'\):$" && out_has "^    blockpull +populate a disk"'

run -h
check "-h lists the groups and their commands" \
    eval 'status 0 && out_has "^ Block Pull \(help keyword '"'pull'"'\)$" && out_has "^    blockpull +populate a disk"'

run help blockjob
check "help COMMAND: synopsis and options" \
    eval 'status 0 && out_has "^    blockjob <domain> <path> \[--abort\] \[--async\] \[--pivot\] \[--info\] \[--bytes\] \[--raw\] \[<bandwidth>\]$" &&
          out_has "^    \[--domain\] <string>  domain name, id or uuid$" &&
          out_has "^    --abort          abort the active job on the specified disk$"'

run -c "bogus:///nowhere" uri
check "a bad URI fails" \
    eval 'status 1 && err_first "error: failed to connect to the hypervisor" && [ "$(wc -l <"$T/err")" -ge 2 ]'

run -c "$URI" uri
check "uri prints the connection URI" eval 'status 0 && out_has "^qemu:///embed\?root="'

# A root others can change is refused, and left as it was.
mkdir -m 0777 "$T/open-root"
chmod 0777 "$T/open-root"
run -c "qemu:///embed?root=$T/open-root" uri
check "a root writable by others is refused" \
    eval 'status 1 && err_first "error: failed to connect to the hypervisor" &&
          err_has "^error: embed root '"'$T/open-root'"' is writable by its group and others \(mode 0777\)" &&
          err_has "fix it with chmod go-w '"'$T/open-root'"'\$" &&
          [ -z "$(ls -A "$T/open-root")" ]'
rmdir "$T/open-root"

run -c "qemu:///embed?root=$T/a&root=$T/b" uri
check "a URI with two roots is refused" \
    eval 'status 1 && err_has "^error: URI '"'qemu:///embed'"' has the '"'root'"' parameter more than once" &&
          [ ! -e "$T/a" ] && [ ! -e "$T/b" ]'

run -c "$URI" version
check "version" \
    eval 'status 0 && out_has "^Compiled against library: libvirt [0-9.]+$" && out_has "^Using library: libvirt [0-9.]+$"'

LIBVIRT_DEFAULT_URI=$URI
export LIBVIRT_DEFAULT_URI
run uri
unset LIBVIRT_DEFAULT_URI
check "LIBVIRT_DEFAULT_URI is honoured" eval 'status 0 && out_has "^qemu:///embed\?root="'

run -c "$URI" list --all
check "list --all of no domain" eval 'status 0 && out_is " Id   Name   State
--------------------
"'

run -q -c "$URI" list --all
check "-q list prints nothing for no domain" eval 'status 0 && [ ! -s "$T/out" ]'

run -c "$URI" "uri; uri"
check "';' separates commands in one argument" \
    eval 'status 0 && [ "$(grep -c "^qemu:" "$T/out")" -eq 2 ]'

run -c "$URI" uri ";" uri
check "';' separates commands in argv" eval 'status 0 && [ "$(grep -c "^qemu:" "$T/out")" -eq 2 ]'

runin "uri
quit
" -c "$URI"
check "commands read from stdin" eval 'status 0 && out_has "^qemu:///embed"'

runin "nosuchcmd
" -c "$URI"
check "a failed command from stdin fails virsh" \
    eval 'status 1 && err_first "error: unknown command: '"'nosuchcmd'"'"'

echo '<domain type="qemu"><name>broken' >"$T/bad.xml"
run -c "$URI" define "$T/bad.xml"
check "define of a bad XML file fails" \
    eval 'status 1 && err_first "error: Failed to define domain from $T/bad.xml" && [ "$(wc -l <"$T/err")" -ge 2 ]'

run -c "$URI" define "$T/nosuch.xml"
check "define of a missing file fails" eval 'status 1 && err_has "^error: Failed to open file"'

# Names that would be a directory, hold a control character or a blank
# at either end are refused, and nothing is written.
name_xml() {
    printf "<domain type='qemu'><name>%s</name><memory>65536</memory><os><type>hvm</type></os></domain>\n" "$1" >"$T/name.xml"
}
for nm in . ..; do
    name_xml "$nm"
    run -c "$URI" define "$T/name.xml"
    check "define of the name '$nm' fails" \
        eval 'status 1 && err_has "^error: domain name '"'$nm'"' is not allowed, it names a directory"'
done
name_xml "$(printf 'a\tb')"
run -c "$URI" define "$T/name.xml"
tab_refused() {
    status 1 &&
        grep -qF "error: domain name 'a\\tb' contains a control character (U+0009)" "$T/err"
}
check "define of a name with a tab fails" tab_refused
for nm in " vm" "vm "; do
    name_xml "$nm"
    run -c "$URI" define "$T/name.xml"
    check "define of the name '$nm' fails" \
        eval 'status 1 && err_has "^error: domain name '"'$nm'"' begins or ends with a blank"'
done
check "no definition was written for the refused names" \
    eval '[ -z "$(ls -A "$ROOT/etc/qemu")" ]'
name_xml "a,b='c' d=e"
run -c "$URI" define "$T/name.xml"
check "a name with ',', '=', quotes and spaces is valid" \
    eval 'status 0 && out_has "^Domain '"'a,b='"'"'c'"'"' d=e'"' defined"'
run -c "$URI" undefine "a,b='c' d=e"
check "and can be undefined" eval 'status 0 && [ -z "$(ls -A "$ROOT/etc/qemu")" ]'

run -c "$URI" dominfo nosuchdom
check "an unknown domain" eval 'status 1 && err_first "error: failed to get domain '"'nosuchdom'"'"'

run -c "$URI" event --list
check "event --list" eval 'status 0 && out_has "^lifecycle$" && out_has "^block-pull$"'

run -c "$URI" event
check "event needs --event, --all or --list" \
    eval 'status 1 && err_first "error: one of --list, --all, or --event <type> is required"'

run -c "$URI" event --all --timeout 1
check "event times out" \
    eval 'status 0 && out_has "^event loop timed out$" && out_has "^events received: 0$"'

# LIBVIRT_DEBUG: a value that is not a level fails every command, also
# those that need no connection; the levels log what they say.
log_has() { grep -qE -- "$1" "$T/log"; }
export LIBVIRT_DEBUG LIBVIRT_LOG_FILE
for v in 0 abc 9; do
    LIBVIRT_DEBUG=$v
    run -c "$URI" uri
    check "LIBVIRT_DEBUG=$v fails with a clear error" \
        eval 'status 1 && err_first "error: Failed to initialize libvirt" &&
              err_has "^error: environment variable LIBVIRT_DEBUG has the invalid value '"'$v'"', expected a log level" &&
              [ ! -s "$T/out" ]'
done
LIBVIRT_DEBUG=0
run help
check "LIBVIRT_DEBUG=0 fails a command that needs no connection" \
    eval 'status 1 && err_first "error: Failed to initialize libvirt" && [ ! -s "$T/out" ]'

LIBVIRT_LOG_FILE=$T/log
for v in 1 debug; do
    LIBVIRT_DEBUG=$v
    rm -f "$T/log"
    run -c "$URI" uri
    check "LIBVIRT_DEBUG=$v logs debug messages to LIBVIRT_LOG_FILE" \
        eval 'status 0 && out_has "^qemu:///embed" && [ ! -s "$T/err" ] &&
              log_has ": debug : .* virConnectOpen : name="'
done
for v in 4 error; do
    LIBVIRT_DEBUG=$v
    rm -f "$T/log"
    run -c "$URI" dominfo nosuchdom
    check "LIBVIRT_DEBUG=$v logs errors only" \
        eval 'status 1 && log_has ": error : .*nosuchdom" && ! log_has ": (debug|info|warning) : "'
done
rm -f "$T/log"
unset LIBVIRT_LOG_FILE
LIBVIRT_DEBUG=debug
run -c "$URI" uri
check "without LIBVIRT_LOG_FILE the log goes to stderr" \
    eval 'status 0 && out_has "^qemu:///embed" && err_has ": debug : .* virConnectOpen : name="'
unset LIBVIRT_DEBUG

# ------------------------------------------------------------------
# A real VM
# ------------------------------------------------------------------

# A unit-test-only build (configure --disable-integration-tests) runs no
# QEMU: the tests above are all it has.
if [ "$VIR_TEST_INTEGRATION" = no ]; then
    echo "1..$n"
    exit 0
fi

QEMU=$(command -v qemu-system-x86_64)
QEMU_IMG=$(command -v qemu-img)
QEMU_IO=$(command -v qemu-io)

if [ -z "$QEMU" ] || [ -z "$QEMU_IMG" ]; then
    RC=127
    : >"$T/out"
    echo "qemu-system-x86_64 or qemu-img not found" >"$T/err"
    notok "QEMU is installed (the VM tests need it)"
    echo "1..$n"
    exit 1
fi

mkdir -m 0755 "$T/images"
IMG=$T/images
prepare_images() {
    "$QEMU_IMG" create -q -f qcow2 "$IMG/base.qcow2" 64M || return 1
    if [ -n "$QEMU_IO" ]; then
        "$QEMU_IO" -f qcow2 -c "write -P 0x5a 0 8M" "$IMG/base.qcow2" >/dev/null || return 1
    fi
    "$QEMU_IMG" create -q -f qcow2 -b "$IMG/base.qcow2" -F qcow2 "$IMG/overlay.qcow2" || return 1
    "$QEMU_IMG" create -q -f qcow2 -b "$IMG/base.qcow2" -F qcow2 "$IMG/overlay2.qcow2" || return 1
    "$QEMU_IMG" create -q -f qcow2 -b "$IMG/base.qcow2" -F qcow2 "$IMG/overlay3.qcow2" || return 1
    # A three-image chain for libvirt's partial pull: 8 MiB of data in
    # the middle image (8 s at 1 MiB/s).
    "$QEMU_IMG" create -q -f qcow2 -b "$IMG/base.qcow2" -F qcow2 "$IMG/mid4.qcow2" || return 1
    [ -n "$QEMU_IO" ] || return 1
    "$QEMU_IO" -f qcow2 -c "write -P 0x6b 16M 8M" "$IMG/mid4.qcow2" >/dev/null || return 1
    "$QEMU_IMG" create -q -f qcow2 -b "$IMG/mid4.qcow2" -F qcow2 "$IMG/overlay4.qcow2" || return 1
    chmod 0644 "$IMG"/*.qcow2
}
RC=0
: >"$T/out"
: >"$T/err"
check "qemu-img makes a base and overlays" prepare_images

write_xml() {
    cat >"$1" <<EOF
<domain type='qemu'>
  <name>$2</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>$QEMU</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$3'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
}
write_xml "$T/dom.xml" "$NAME" "$IMG/overlay.qcow2"
write_xml "$T/dom2.xml" "${NAME}2" "$IMG/overlay2.qcow2"
write_xml "$T/dom3.xml" "${NAME}3" "$IMG/overlay3.qcow2"
write_xml "$T/dom4.xml" "${NAME}4" "$IMG/overlay4.qcow2"

run -c "$URI" define "$T/dom.xml"
check "define" eval 'status 0 && out_has "^Domain '"'$NAME'"' defined from $T/dom.xml$"'

run -c "$URI" list --all
check "list --all shows it shut off" eval 'status 0 && out_has "^ -  +$NAME +shut off$"'

run -c "$URI" list
check "list leaves it out while it is shut off" eval 'status 0 && ! out_has " $NAME "'

run -c "$URI" domstate "$NAME"
check "domstate: shut off" eval 'status 0 && out_has "^shut off$"'

run -c "$URI" dominfo "$NAME"
check "dominfo of the inactive domain" \
    eval 'status 0 && out_has "^Id:             -$" && out_has "^Name:           $NAME$" &&
          out_has "^State:          shut off$" && out_has "^Persistent:     yes$" &&
          out_has "^Max memory:     65536 KiB$"'

run -c "$URI" domuuid "$NAME"
UUID=$(head -n 1 "$T/out")
check "domuuid" \
    eval 'status 0 && out_has "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"'

run -c "$URI" domname "$UUID"
check "domname by UUID" eval 'status 0 && out_has "^$NAME$"'

run -c "$URI" dumpxml --inactive "$NAME"
check "dumpxml --inactive" eval 'status 0 && out_has "<name>$NAME</name>"'

run -r -c "$URI" start "$NAME"
check "start is refused on a read-only connection" \
    eval 'status 1 && err_has "^error: Failed to start domain"'

run -c "$URI" start "$NAME"
check "start" eval 'status 0 && out_has "^Domain '"'$NAME'"' started$"'

run -c "$URI" start "$NAME"
check "start of a running domain fails" \
    eval 'status 1 && err_first "error: Domain is already active"'

run -c "$URI" list
check "list shows it running" eval 'status 0 && out_has "^ [0-9]+ +$NAME +running$"'

run -c "$URI" domstate --reason "$NAME"
check "domstate --reason: running (booted)" eval 'status 0 && out_has "^running \(booted\)$"'

run -c "$URI" domid "$NAME"
ID=$(head -n 1 "$T/out")
check "domid" eval 'status 0 && out_has "^[0-9]+$"'

run -c "$URI" dominfo "$ID"
check "dominfo by id" \
    eval 'status 0 && out_has "^Id:             $ID$" && out_has "^State:          running$" && out_has "^OS Type:        hvm$"'

run -c "$URI" dumpxml "$NAME"
check "dumpxml shows the backing chain" \
    eval 'status 0 && out_has "<backingStore" && out_has "$IMG/base.qcow2"'

run -c "$URI" domblklist "$NAME"
check "domblklist" \
    eval 'status 0 && out_has "^ Target   Source$" && out_has "^ vda +$IMG/overlay.qcow2$"'

run -c "$URI" domblklist --details "$NAME"
check "domblklist --details" \
    eval 'status 0 && out_has "^ Type   Device   Target   Source$" && out_has "^ file +disk +vda +$IMG/overlay.qcow2$"'

# ------------------------------------------------------------------
# Block pull
# ------------------------------------------------------------------

if [ "$VIRSHTEST_SKIP_BLOCKPULL" = 1 ]; then
    for t in blockpullinfo blockjob step abort wait chain stale stale-chain \
             job-info job-pivot job-abort rebase-base rebase-chain block-job-2 \
             held-abort held-all held-all-again held-domain held-other held-wait held-live held-chain; do
        skip "block pull: $t (VIRSHTEST_SKIP_BLOCKPULL=1)"
    done
else
    run -c "$URI" blockpullinfo "$NAME" vda
    check "blockpullinfo without a pull" eval 'status 0 && out_has "^No active block pull$"'

    run -c "$URI" blockjob "$NAME" vda
    check "blockjob without a pull" eval 'status 0 && out_has "^No current block job for vda$"'

    run -c "$URI" blockpull "$NAME" vda --step
    check "blockpull --step" eval 'status 0 && out_has "^Block Pull: [0-9]+/[0-9]+ \([0-9]+ %\)$"'
    STEP=$(sed -n 's/^Block Pull: \([0-9]*\)\/\([0-9]*\) .*/\1 \2/p' "$T/out")
    if [ -n "$STEP" ] && [ "${STEP% *}" -lt "${STEP#* }" ]; then
        run -c "$URI" "blockpullinfo $NAME vda; blockpullabort $NAME vda; blockpullinfo $NAME vda"
        check "a paused step-wise pull shows and aborts" \
            eval 'status 0 && out_has "^Block Pull: \[ *[0-9]+ %\] cur=[0-9]+ end=[0-9]+$" &&
                  out_has "^Block Pull aborted$" && out_has "^No active block pull$"'
    else
        check "a step copies a chunk, not the whole disk" false
    fi

    # Slow pulls (the driver reads qemu.conf when it opens): the timeout
    # and Ctrl-C abort them and say so; the chain is left as it was.
    # 256 KiB/s: the 8 MiB of data take half a minute, far longer than a
    # loaded host needs to start virsh and show the first progress line.
    mkdir -p "$ROOT/etc"
    echo "block_pull_max_bandwidth = 262144" > "$ROOT/etc/qemu.conf"
    run -c "$URI" blockpull "$NAME" vda --wait --timeout 1
    check "blockpull --wait --timeout aborts and says so" \
        eval 'status 1 && out_has "^Pull aborted$"'
    run -c "$URI" "blockpullinfo $NAME vda; dumpxml $NAME"
    check "after the timeout no pull is active and the chain is whole" \
        eval 'status 0 && out_has "^No active block pull$" && out_has "$IMG/base.qcow2"'

    timeout -k 5 300 "$VIRSH" -c "$URI" blockpull "$NAME" vda --wait --verbose >"$T/out" 2>"$T/err" &
    vpid=$!
    # Wait until the pull is under way (that process holds the root, so
    # another one cannot ask; the capped pull lasts far longer), then
    # press Ctrl-C.
    for i in $(seq 1 200); do
        grep -q "Block Pull" "$T/out" 2>/dev/null && break
        sleep 0.1
    done
    sleep 1
    kill -INT $vpid
    wait $vpid
    RC=$?
    check "Ctrl-C aborts a blockpull --wait and says so" \
        eval 'status 1 && out_has "^Pull aborted$"'
    rm -f "$ROOT/etc/qemu.conf"

    run -c "$URI" blockpull "$NAME" vda --wait --verbose --timeout 240
    check "blockpull --wait --verbose completes and shows the event" \
        eval 'status 0 && out_has "^Pull complete$" && out_has "^event .block-pull. for domain .$NAME.: $IMG/overlay.qcow2 completed$"'

    run -c "$URI" dumpxml "$NAME"
    check "the pulled disk has no backing image left" \
        eval 'status 0 && ! out_has "$IMG/base.qcow2" && out_has "$IMG/overlay.qcow2"'

    # One process: the end of the aborted pull, which nobody heard, must
    # not be taken for the end of the next one (capped: the first pull is
    # still running when it is aborted).
    echo "block_pull_max_bandwidth = 4194304" > "$ROOT/etc/qemu.conf"
    run -c "$URI" "create $T/dom3.xml; blockpull ${NAME}3 vda; blockpullabort ${NAME}3 vda; blockpull ${NAME}3 vda --wait"
    check "blockpull --wait after an aborted pull waits for its own pull" \
        eval 'status 0 && out_has "^Block Pull aborted$" && out_has "^Pull complete$"'
    rm -f "$ROOT/etc/qemu.conf"
    run -c "$URI" "dumpxml ${NAME}3; destroy ${NAME}3"
    check "that pull completed: no backing image left" \
        eval 'status 0 && ! out_has "$IMG/base.qcow2" && out_has "$IMG/overlay3.qcow2"'

    # libvirt's block job commands on a pull at 1 MiB/s (BANDWIDTH given
    # without its option name, as libvirt's virsh takes it).
    run -c "$URI" "create $T/dom4.xml; blockpull ${NAME}4 vda 1; blockjob ${NAME}4 vda --info; blockjob ${NAME}4 vda --raw; blockjob ${NAME}4 vda 2; blockjob ${NAME}4 vda --raw --bytes"
    check "blockjob --info and --raw show the pull and its bandwidth" \
        eval 'status 0 && out_has "^Block Pull started$" &&
              err_has "Block Pull: \[ *[0-9]+\.[0-9]{2} %\]" &&
              out_has "^    Bandwidth limit: 1048576 bytes/s \(1\.000 MiB/s\)$" &&
              out_has "^ type=Block Pull$" && out_has "^ bandwidth=1$" &&
              out_has "^ bandwidth=2097152$" && out_has "^ cur=[0-9]+$" && out_has "^ end=[0-9]+$"'
    run -c "$URI" blockjob "${NAME}4" vda --pivot
    check "blockjob --pivot is refused on a pull" \
        eval 'status 1 && err_has "not ready for pivot"'
    run -c "$URI" "blockjob ${NAME}4 vda --abort; blockjob ${NAME}4 vda; dumpxml ${NAME}4"
    check "blockjob --abort stops it, and the chain is whole" \
        eval 'status 0 && out_has "^No current block job for vda$" && out_has "$IMG/mid4.qcow2"'

    run -c "$URI" blockpull "${NAME}4" vda --base "$IMG/base.qcow2" --keep-relative --wait --verbose --timeout 240
    check "blockpull --base --keep-relative --wait completes" \
        eval 'status 0 && out_has "^Pull complete$"'
    run -c "$URI" dumpxml "${NAME}4"
    "$QEMU_IMG" info -U "$IMG/overlay4.qcow2" >>"$T/out" 2>"$T/err"
    check "the middle image left the chain, the overlay names the base relative" \
        eval 'status 0 && ! out_has "$IMG/mid4.qcow2" && out_has "$IMG/base.qcow2" &&
              out_has "^backing file: base\.qcow2"'

    run -c "$URI" "blockpull ${NAME}4 vda 1; event ${NAME}4 --event block-job-2 --timeout 200; destroy ${NAME}4"
    check "event --event block-job-2 tells the pull's end by target" \
        eval 'status 0 && out_has "^event .block-job-2. for domain .${NAME}4.: Block Pull for vda completed$"'

    # Across processes: the end of a pull aborted while nobody listened is
    # kept with its domain (in its status file). Each later registration
    # for that domain or for all domains is told it, one for another
    # domain is not, and a new pull's waiter ignores it.
    "$QEMU_IMG" create -q -f qcow2 -b "$IMG/base.qcow2" -F qcow2 "$IMG/overlay5.qcow2" &&
        chmod 0644 "$IMG/overlay5.qcow2"
    write_xml "$T/dom5.xml" "${NAME}5" "$IMG/overlay5.qcow2"
    echo "block_pull_max_bandwidth = 4194304" > "$ROOT/etc/qemu.conf"
    run -c "$URI" "create $T/dom5.xml; blockpull ${NAME}5 vda; blockpullabort ${NAME}5 vda"
    check "a pull aborted while nobody listens" eval 'status 0 && out_has "^Block Pull aborted$"'
    for who in "all domains" "all domains again" "its domain"; do
        dom=
        [ "$who" = "its domain" ] && dom="${NAME}5"
        run -c "$URI" event $dom --event block-pull --timeout 3
        check "a later process tells the held end to a callback for $who" \
            eval 'status 0 && out_has "^event .block-pull. for domain .${NAME}5.: $IMG/overlay5.qcow2 canceled$" &&
                  out_has "^events received: 1$"'
    done
    run -c "$URI" event "$NAME" --event block-pull --timeout 2
    check "a callback for another domain is not told it" \
        eval 'status 0 && out_has "^events received: 0$"'
    rm -f "$ROOT/etc/qemu.conf"
    run -c "$URI" blockpull "${NAME}5" vda --wait
    check "blockpull --wait in a later process waits for its own pull" \
        eval 'status 0 && out_has "^Pull complete$" && ! out_has "aborted"'
    run -c "$URI" event --event block-pull --timeout 2
    check "an end heard live is not held" eval 'status 0 && out_has "^events received: 0$"'
    run -c "$URI" "dumpxml ${NAME}5; destroy ${NAME}5"
    check "that pull completed too" \
        eval 'status 0 && ! out_has "$IMG/base.qcow2" && out_has "$IMG/overlay5.qcow2"'
fi

# ------------------------------------------------------------------
# Suspend and resume
# ------------------------------------------------------------------

run -r -c "$URI" suspend "$NAME"
check "suspend is refused on a read-only connection" \
    eval 'status 1 && err_first "error: Failed to suspend domain '"'$NAME'"'" &&
          err_has "read-only connection"'

# One process: a new host of the root would read the reason back anyway.
run -c "$URI" "suspend $NAME; domstate --reason $NAME; list; dominfo $NAME"
check "suspend" eval 'status 0 && out_has "^Domain '"'$NAME'"' suspended$"'
check "domstate --reason: paused (user)" eval 'out_has "^paused \(user\)$"'
check "list shows the suspended domain as paused" \
    eval 'out_has "^ +[0-9]+ +$NAME +paused$"'
check "dominfo shows it paused" eval 'out_has "^State: +paused$"'

run -c "$URI" "list; domstate --reason $NAME"
check "a new virsh process still finds it paused, for the user" \
    eval 'status 0 && out_has "^ +[0-9]+ +$NAME +paused$" && out_has "^paused \(user\)$"'

run -c "$URI" "resume $NAME; domstate --reason $NAME; list"
check "resume" eval 'status 0 && out_has "^Domain '"'$NAME'"' resumed$"'
check "domstate --reason: running (unpaused)" eval 'out_has "^running \(unpaused\)$"'
check "list shows it running again" eval 'out_has "^ +[0-9]+ +$NAME +running$"'

run -c "$URI" suspend nosuchdom
check "suspend of an unknown domain" \
    eval 'status 1 && err_first "error: failed to get domain '"'nosuchdom'"'"'

# ------------------------------------------------------------------
# Stop and remove
# ------------------------------------------------------------------

run -r -c "$URI" destroy "$NAME"
check "destroy is refused on a read-only connection" \
    eval 'status 1 && err_first "error: Failed to destroy domain '"'$NAME'"'"'

# One process: an embedded driver started anew knows no reason for a stop.
run -c "$URI" "destroy $NAME; domstate --reason $NAME"
check "destroy" eval 'status 0 && out_has "^Domain '"'$NAME'"' destroyed$"'
check "domstate --reason: shut off (destroyed)" \
    eval 'status 0 && out_has "^shut off \(destroyed\)$"'

run -c "$URI" undefine "$NAME"
check "undefine" eval 'status 0 && out_has "^Domain '"'$NAME'"' has been undefined$"'

run -c "$URI" list --all
check "list --all no longer shows it" eval 'status 0 && ! out_has " $NAME "'

run -c "$URI" create --paused "$T/dom2.xml"
check "create --paused" \
    eval 'status 0 && out_has "^Domain '"'${NAME}2'"' created from $T/dom2.xml$"'

run -c "$URI" domstate "${NAME}2"
check "the created domain is paused" eval 'status 0 && out_has "^paused$"'

run -c "$URI" destroy "${NAME}2"
check "destroy of the transient domain" \
    eval 'status 0 && out_has "^Domain '"'${NAME}2'"' destroyed$"'

run -c "$URI" list --all
check "the transient domain is gone" eval 'status 0 && ! out_has " ${NAME}2 "'

# Is PID alive (a zombie waiting to be reaped is not)?
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

no_qemu_left() {
    for f in $(find "$ROOT" -name '*.pid' -type f 2>/dev/null); do
        pid=$(cat "$f" 2>/dev/null)
        case "$pid" in
        ''|*[!0-9]*) continue ;;
        esac
        alive "$pid" && { echo "# QEMU $pid still runs"; return 1; }
    done
    return 0
}
RC=0
: >"$T/out"
: >"$T/err"
check "no QEMU is left running" no_qemu_left

echo "1..$n"
