#!/bin/sh
# expect: Deleted binary still running
# A copy of the shell deletes its own file, then goes on starting processes.
d=$(mktemp -d)
cp /bin/sh "$d/ghost"
"$d/ghost" -c 'sleep 0.5; /bin/true' &
sleep 0.2
rm -f "$d/ghost"
wait
rm -rf "$d"
