#!/bin/sh
# expect: File capability set
d=$(mktemp -d)
cp /bin/true "$d/implant"
setcap cap_setuid+ep "$d/implant"
rm -rf "$d"
