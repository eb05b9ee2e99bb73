#!/bin/sh
# expect: Execution from a temporary or memory location
# expect: Process running from a memfd
# Fileless: copies /bin/sh into a memfd and executes it from there; the
# memfd program then starts another process.
python3 - <<'PY'
import os
fd = os.memfd_create("payload", 0)
with open("/bin/sh", "rb") as f:
    os.write(fd, f.read())
pid = os.fork()
if pid == 0:
    os.execv(f"/proc/self/fd/{fd}", ["payload", "-c", "/bin/true; /bin/true"])
os.waitpid(pid, 0)
PY
