#!/bin/sh
# expect: Persistence file written
# Drops, then removes, a udev rule with no match or action (a persistent one would RUN+= a program).
d=/etc/udev/rules.d
made=
[ -d "$d" ] || { mkdir -p "$d"; made=1; }
f=$d/99-shrike-scenario-$$.rules
echo "# shrike scenario, harmless" > "$f"
rm -f "$f"
if [ -n "$made" ]; then rmdir "$d"; fi
