#!/bin/sh
# expect: Log or history tampering
# A history file overwritten in place by shred (no truncation, no deletion); then moved away and removed.
d=$(mktemp -d)
echo "ssh root@10.0.0.9" > "$d/.bash_history"
shred -n 1 "$d/.bash_history"
mv "$d/.bash_history" "$d/gone"
rm -rf "$d"
