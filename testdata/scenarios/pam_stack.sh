#!/bin/sh
# expect: Persistence file written
# Drops, then removes, a PAM stack no service uses (a backdoor would add a module to one that is).
f=/etc/pam.d/shrike-scenario-$$
echo "# shrike scenario, harmless" > "$f"
rm -f "$f"
