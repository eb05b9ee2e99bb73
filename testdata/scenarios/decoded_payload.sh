#!/bin/sh
# expect: Decoded payload piped into a shell
# `id` hidden in base64, decoded straight into a shell.
echo 'aWQgPiAvZGV2L251bGwK' | base64 -d | sh
