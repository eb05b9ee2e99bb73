#!/bin/sh
# expect: Decoded payload piped into a shell
# expect-sigma: Decode Base64 Encoded Text
# `id` hidden in base64, decoded straight into a shell.
echo 'aWQgPiAvZGV2L251bGwK' | base64 -d | sh
