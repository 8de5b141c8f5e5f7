# tapfuncs.sh: TAP output for the shell tests, sourced (". tapfuncs.sh")
# by those that use it: ok, notok, check, diag, finish, bail, wait_for.
# The caller sets nothing; n counts the tests, fail is 1 after a failure.
# A caller may define, after sourcing, notok_diag (run after each
# "not ok": what it shows of the failure) and bail_diag (run by bail
# before the plan: the logs worth seeing).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    fail=1
    notok_diag
}
notok_diag() { :; }
bail_diag() { :; }
check() {   # check DESCRIPTION COMMAND...: ok if COMMAND succeeds
    desc=$1
    shift
    if "$@"; then ok "$desc"; else notok "$desc"; fi
}
diag() { sed 's/^/#   /' "$1"; }
finish() {
    echo "1..$n"
    exit $fail
}
bail() {    # bail [DESCRIPTION]: the end of the script, as a failure;
            # with DESCRIPTION a failed test first
    [ $# -eq 0 ] || notok "$1"
    fail=1
    bail_diag
    finish
}
wait_for() {    # wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 on timeout
    limit=$(($1 * 10))
    shift
    i=0
    until "$@"; do
        i=$((i + 1))
        [ $i -ge $limit ] && return 1
        sleep 0.1
    done
    return 0
}
