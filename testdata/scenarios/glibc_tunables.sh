#!/bin/sh
# expect: Glibc tunables in a program's environment
# A harmless tunable on an ordinary program, where the exploit hands a crafted one to a set-uid program.
GLIBC_TUNABLES=glibc.malloc.check=0 /bin/true
