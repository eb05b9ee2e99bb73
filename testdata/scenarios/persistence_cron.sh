#!/bin/sh
# expect: Persistence file written
# expect-sigma: New Cron File Created
# Drops, then removes, a cron file.
f=/etc/cron.d/shrike-scenario-$$
echo "# shrike scenario, harmless" > "$f"
rm -f "$f"
