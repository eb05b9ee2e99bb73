#!/bin/sh
# expect: Execution from a temporary or memory location
# Fileless: copies /bin/true into a memfd and executes it from there.
python3 - <<'PY'
import os
fd = os.memfd_create("payload", 0)
with open("/bin/true", "rb") as f:
    os.write(fd, f.read())
pid = os.fork()
if pid == 0:
    os.execv(f"/proc/self/fd/{fd}", ["payload"])
os.waitpid(pid, 0)
PY
