#!/bin/sh
# expect: Persistence file written
# A key added to a user's authorized_keys (a home made for the scenario, then removed).
h=/home/shrike-scenario-$$
mkdir -p "$h/.ssh"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDshrikeScenarioKeyNotARealKeyAtAllXXXXXXXX scenario" >> "$h/.ssh/authorized_keys"
rm -rf "$h"
