#!/bin/sh
# expect: Interactive terminal spawned from a script interpreter
# expect-sigma: Python Spawning Pretty TTY Via PTY Module
python3 -c 'import pty; pty.spawn("/bin/true")' < /dev/null > /dev/null
