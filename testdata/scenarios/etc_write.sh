#!/bin/sh
# expect: Write below system configuration directories
f=/etc/shrike-scenario-$$.conf
echo "scenario=1" > "$f"
rm -f "$f"
