#!/bin/sh
# expect: Security or logging tool stopped
# A stand-in daemon named like the audit daemon (a copy of sleep), stopped the way an intruder stops auditd.
d=$(mktemp -d)
cp /bin/sleep "$d/auditd"
"$d/auditd" 30 &
pid=$!
sleep 0.2
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
rm -rf "$d"
