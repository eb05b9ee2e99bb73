#!/bin/sh
# expect: Read of credential files
# Reads the shadow file with a program that is not allowed to.
cat /etc/shadow > /dev/null
