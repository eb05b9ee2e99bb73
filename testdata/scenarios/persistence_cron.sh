#!/bin/sh
# expect: Persistence file written
# Drops, then removes, a cron file.
f=/etc/cron.d/shrike-scenario-$$
echo "# shrike scenario, harmless" > "$f"
rm -f "$f"
