#!/bin/sh
# expect: Setuid or setgid bit set
# expect-sigma: Chmod Targeting Sensitive Directories
d=$(mktemp -d)
: > "$d/tool"
chmod u+s "$d/tool"
rm -rf "$d"
