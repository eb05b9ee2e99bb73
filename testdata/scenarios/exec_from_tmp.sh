#!/bin/sh
# expect: Execution from a temporary or memory location
# expect-sigma: Potentially Suspicious Execution From Tmp Folder
d=$(mktemp -d /tmp/shrike-scenario.XXXXXX)
cp /bin/true "$d/payload"
"$d/payload"
rm -rf "$d"
