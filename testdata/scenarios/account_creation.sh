#!/bin/sh
# expect: Local account created or changed
# useradd inside a root of its own (--root), so the machine's accounts stay as they were.
r=$(mktemp -d)
mkdir -p "$r/etc" "$r/home"
cp /etc/passwd /etc/group /etc/shadow /etc/login.defs "$r/etc/" 2>/dev/null
touch "$r/etc/gshadow"
useradd --root "$r" -M backdoor
grep -q '^backdoor:' "$r/etc/passwd"
rm -rf "$r"
