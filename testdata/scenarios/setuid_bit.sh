#!/bin/sh
# expect: Setuid or setgid bit set
d=$(mktemp -d)
: > "$d/tool"
chmod u+s "$d/tool"
rm -rf "$d"
