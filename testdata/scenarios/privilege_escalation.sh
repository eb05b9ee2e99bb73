#!/bin/sh
# expect: Privilege escalation to root
# Inside a "login session" of user 1000, a process drops to uid 1000 while
# keeping root as its saved id, then switches back to uid 0.
python3 - <<'PY'
import os, sys
with open("/proc/self/loginuid", "w") as f:
    f.write("1000")
os.execv(sys.executable, [sys.executable, "-c", """
import os
pid = os.fork()
if pid == 0:
    os.setresuid(1000, 1000, 0)
    os.setuid(0)
    os._exit(0)
os.waitpid(pid, 0)
"""])
PY
