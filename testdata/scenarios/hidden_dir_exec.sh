#!/bin/sh
# expect: Execution from a hidden directory
# expect-sigma: Hidden Files and Directories
# A tool hidden in a dot-directory (outside the temporary directories, which alert on their own).
d=$(mktemp -d -p /run)
mkdir "$d/.cache"
cp /bin/true "$d/.cache/kworker"
"$d/.cache/kworker"
rm -rf "$d"
