#!/bin/sh
# expect: File capability set
# expect-sigma: Linux Setuid Capability Set on a Binary via Setcap Utility
d=$(mktemp -d)
cp /bin/true "$d/implant"
setcap cap_setuid+ep "$d/implant"
rm -rf "$d"
