#!/bin/sh
# expect: Process masquerading as a kernel thread
# Both ways a program passes for a kernel thread in ps: argv[0] at exec, and its name through prctl.
bash -c 'exec -a "[kworker/0:2H]" /bin/true'
python3 -c 'import ctypes; ctypes.CDLL(None).prctl(15, b"kworker/1:1", 0, 0, 0)'
