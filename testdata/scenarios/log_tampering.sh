#!/bin/sh
# expect: Log or history tampering
f=/var/log/shrike-scenario-$$.log
echo "entry" > "$f"
rm -f "$f"
