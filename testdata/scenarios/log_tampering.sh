#!/bin/sh
# expect: Log or history tampering
# expect-sigma: Linux Logs Clearing Attempts
f=/var/log/shrike-scenario-$$.log
echo "entry" > "$f"
rm -f "$f"
