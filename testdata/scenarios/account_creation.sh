#!/bin/sh
# expect: Local account created or changed
# useradd inside a root of its own (--root) with minimal account files, so
# the machine's accounts stay as they were and are not even read.
r=$(mktemp -d)
mkdir -p "$r/etc" "$r/home"
echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
echo 'root:x:0:' > "$r/etc/group"
echo 'root:*:19000:0:99999:7:::' > "$r/etc/shadow"
echo 'root:*::' > "$r/etc/gshadow"
useradd --root "$r" -M backdoor
grep -q '^backdoor:' "$r/etc/passwd"
rm -rf "$r"
