#!/bin/sh
# expect: Immutable or append-only flag changed
# On the root file system (ext4 here): tmpfs may refuse inode flags.
d=$(mktemp -d -p /var/tmp)
touch "$d/keep"
chattr +i "$d/keep"
chattr -i "$d/keep"
rm -rf "$d"
