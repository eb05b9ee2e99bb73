#!/bin/sh
# expect: Persistence file written
# A system service unit dropped (never enabled or started), then removed.
f=/etc/systemd/system/shrike-scenario-$$.service
mkdir -p /etc/systemd/system
printf '[Unit]\nDescription=shrike scenario, harmless\n[Service]\nExecStart=/bin/true\n' > "$f"
rm -f "$f"
