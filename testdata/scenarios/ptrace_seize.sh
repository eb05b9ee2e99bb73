#!/bin/sh
# expect: Ptrace attach to another process
# PTRACE_SEIZE, what `strace -p` and modern injectors use instead of PTRACE_ATTACH.
python3 - <<'PY'
import ctypes, subprocess, time
libc = ctypes.CDLL(None)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
t = subprocess.Popen(["/bin/sleep", "5"])
time.sleep(0.05)
libc.ptrace(0x4206, t.pid, None, None)
libc.ptrace(17, t.pid, None, None)
t.kill()
t.wait()
PY
