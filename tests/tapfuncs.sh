# tapfuncs.sh: TAP output for the shell tests, sourced (". tapfuncs.sh")
# by those that use it: ok, notok, check, diag, finish, bail, wait_for.
# The caller sets nothing; n and fail count the tests and failures.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    fail=1
}
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
bail() {    # bail DESCRIPTION: a failed test, and the end of the script
    notok "$1"
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
