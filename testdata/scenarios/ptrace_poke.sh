#!/bin/sh
# expect: Memory of another process written
# An injection's write, made harmless: a word of the target's stack is read and written back unchanged.
python3 - <<'PY'
import ctypes, os, subprocess, time
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
t = subprocess.Popen(["/bin/sleep", "5"])
time.sleep(0.05)
libc.ptrace(16, t.pid, None, None)
os.waitpid(t.pid, 0)
stack = next(l for l in open(f"/proc/{t.pid}/maps") if "[stack]" in l)
addr = int(stack.split("-")[1].split()[0], 16) - 64
word = libc.ptrace(2, t.pid, addr, None)
assert libc.ptrace(5, t.pid, addr, ctypes.c_void_p(word & (2**64 - 1))) == 0
libc.ptrace(17, t.pid, None, None)
t.kill()
t.wait()
PY
