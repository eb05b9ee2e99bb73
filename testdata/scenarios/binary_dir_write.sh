#!/bin/sh
# expect: Write below binary directories
# Creates, then removes, a file in /usr/local/bin.
f=/usr/local/bin/shrike-scenario-$$
: > "$f"
rm -f "$f"
