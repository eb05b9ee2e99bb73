#!/bin/sh
# expect: Shell history disabled
# A shell started with history off, as an intruder exports it before working.
HISTFILE=/dev/null bash -c true
HISTSIZE=0 bash -c true
