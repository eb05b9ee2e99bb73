#!/bin/sh
# expect: Ptrace attach to another process
python3 - <<'PY'
import ctypes, os, subprocess, time
libc = ctypes.CDLL(None)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
t = subprocess.Popen(["/bin/sleep", "5"])
time.sleep(0.05)
libc.ptrace(16, t.pid, None, None)
os.waitpid(t.pid, 0)
libc.ptrace(17, t.pid, None, None)
t.kill()
t.wait()
PY
