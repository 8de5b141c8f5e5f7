#!/bin/sh
# make syntax-check: what the style bans, found by grep.
top=${1:-.}
cd "$top" || exit 1
fail=0
check() {
    # $1: description, $2: regex; the remaining files are searched
    desc=$1; re=$2
    hits=$(grep -nE "$re" src/*.c src/*/*.c tools/*.c 2>/dev/null | grep -v 'syntax-check: allow')
    if [ -n "$hits" ]; then
        echo "syntax-check: $desc:"; echo "$hits"; fail=1
    fi
}
check "use g_new/g_malloc, not raw malloc" '(^|[^_a-z])malloc\('
check "use g_strdup_printf, not sprintf" '(^|[^_a-z])sprintf\('
check "tabs in C sources" '	'
check "trailing whitespace" ' +$'
# Relative links of README.md and docs/*.md that lead nowhere.
sh scripts/check-doc-links.sh . || fail=1
exit $fail
