#!/bin/sh
# expect: File times backdated
d=$(mktemp -d)
touch "$d/planted"
touch -d '2001-02-03 04:05:06 UTC' "$d/planted"
rm -rf "$d"
