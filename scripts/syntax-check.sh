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
# Includes name the folder under src/ ("util/virerror.h"), except a header
# beside the including file or at the top of src/: there is no -I src/util
# or -I src/qemu to find them otherwise, and the folder shows the layer.
for f in src/*/*.[ch] tools/*.[ch] tests/*.[ch] examples/*.c bench/*.c; do
    [ -f "$f" ] || continue
    dir=$(dirname "$f")
    for h in $(sed -n 's/^# *include "\([^"/]*\)".*/\1/p' "$f"); do
        [ -e "$dir/$h" ] || [ -e "src/$h" ] || [ "$h" = config.h ] && continue
        echo "syntax-check: $f: #include \"$h\" must name its folder under src/"
        fail=1
    done
done
# Relative links of README.md and docs/*.md that lead nowhere.
sh scripts/check-doc-links.sh . || fail=1
exit $fail
