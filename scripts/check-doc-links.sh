#!/bin/sh
# Every relative link of README.md and docs/*.md must resolve: the file
# (relative to the page) exists, and a #fragment names a heading of the
# target page, spelled as GitHub spells heading anchors (lower case,
# punctuation dropped, spaces to hyphens). Run by make syntax-check.
# Prints each broken link as FILE:LINE: TARGET and exits 1 if there is one.
top=${1:-.}
cd "$top" || exit 1

# The anchors of the headings of markdown file $1, one a line (headings
# inside fenced code blocks are not headings).
anchors() {
    awk '
        /^```/ { fence = !fence; next }
        fence || !/^#+ / { next }
        {
            h = $0
            sub(/^#+ +/, "", h)
            h = tolower(h)
            gsub(/[^a-z0-9 _-]/, "", h)
            gsub(/ /, "-", h)
            n = seen[h]++
            print (n ? h "-" n : h)
        }' "$1"
}

fail=0
for page in README.md docs/*.md; do
    dir=$(dirname "$page")
    # FILE-LINE TARGET for each [text](target) outside fenced code blocks.
    links=$(awk '
        /^```/ { fence = !fence; next }
        fence { next }
        {
            line = $0
            while (match(line, /\]\([^) ]+\)/)) {
                print FNR " " substr(line, RSTART + 2, RLENGTH - 3)
                line = substr(line, RSTART + RLENGTH)
            }
        }' "$page")
    [ -n "$links" ] || continue
    while read -r lineno target; do
        case $target in
        http://*|https://*|mailto:*) continue ;;
        esac
        file=${target%%#*}
        frag=
        case $target in
        *#*) frag=${target#*#} ;;
        esac
        if [ -z "$file" ]; then
            dest=$page
        else
            dest=$dir/$file
        fi
        if [ ! -e "$dest" ]; then
            echo "$page:$lineno: $target: no such file"
            fail=1
            continue
        fi
        if [ -n "$frag" ]; then
            case $dest in
            *.md)
                if ! anchors "$dest" | grep -qxF -- "$frag"; then
                    echo "$page:$lineno: $target: no such heading"
                    fail=1
                fi
                ;;
            esac
        fi
    done <<EOF
$links
EOF
done
exit $fail
