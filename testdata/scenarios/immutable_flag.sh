#!/bin/sh
# expect: Immutable or append-only flag changed
# expect-sigma: Remove Immutable File Attribute
# expect-sigma: Remove Immutable File Attribute - Auditd
# On the root file system (ext4 here): tmpfs may refuse inode flags.
d=$(mktemp -d -p /var/tmp)
touch "$d/keep"
chattr +i "$d/keep"
chattr -i "$d/keep"
rm -rf "$d"
