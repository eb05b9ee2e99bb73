#!/bin/sh
# expect: Shell spawned by a service
# expect-sigma: Shell Execution Of Process Located In Tmp Directory
# A process called nginx starts a shell, as a web shell would.
d=$(mktemp -d)
cp /bin/sh "$d/nginx"
"$d/nginx" -c 'sh -c true'
rm -rf "$d"
