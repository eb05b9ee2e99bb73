#!/usr/bin/env python3
"""Performs a list of known actions, then writes what it did (pids, paths,
ports) as JSON to argv[1], so a test can check each recorded event.
Harmless: works in the directory argv[2], talks to 127.0.0.1 only."""
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time

out_path, d = sys.argv[1], sys.argv[2]
facts = {"pid": os.getpid(), "dir": d}

# exec of a known argv under this process
p = subprocess.Popen(["/bin/echo", "shrike-marker-exec", "arg two"], stdout=subprocess.DEVNULL)
p.wait()
facts["echo_pid"] = p.pid

# write-open, then read-open of a known path
known = os.path.join(d, "known.txt")
fd = os.open(known, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
os.write(fd, b"hello\n")
os.close(fd)
os.close(os.open(known, os.O_RDONLY))

# a failed open
try:
    os.open("/nonexistent-shrike/enoent", os.O_RDONLY)
except FileNotFoundError:
    pass

# unlink, rename, chmod +s (relative paths, resolved against the cwd)
os.chdir(d)
open("unlink-me", "w").close()
os.unlink("unlink-me")
open("rename-from", "w").close()
os.rename("rename-from", "rename-to")
os.chmod("rename-to", 0o4755)

# connect and accept on loopback, then a socket dup'ed onto stdin
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
cli.connect(srv.getsockname())
conn, peer = srv.accept()
facts["server_port"] = srv.getsockname()[1]
facts["client_port"] = cli.getsockname()[1]
os.dup2(cli.fileno(), 0)

# memfd_create
os.close(os.memfd_create("shrike-memfd"))

# setuid in a child
child = os.fork()
if child == 0:
    os.setuid(65534)
    os._exit(0)
os.waitpid(child, 0)
facts["setuid_pid"] = child

# ptrace attach to a child, then detach
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
target = subprocess.Popen(["/bin/sleep", "5"])
time.sleep(0.05)
libc.ptrace(16, target.pid, None, None)  # PTRACE_ATTACH
os.waitpid(target.pid, 0)
libc.ptrace(17, target.pid, None, None)  # PTRACE_DETACH
facts["ptrace_pid"] = target.pid

# kill
os.kill(target.pid, signal.SIGTERM)
target.wait()

# a non-zero exit
e = subprocess.Popen(["/bin/sh", "-c", "exit 7"])
e.wait()
facts["exit7_pid"] = e.pid

with open(out_path, "w") as f:
    json.dump(facts, f)
