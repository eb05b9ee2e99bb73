#!/bin/sh
# expect: Interactive terminal spawned from a script interpreter
python3 -c 'import pty; pty.spawn("/bin/true")' < /dev/null > /dev/null
