#!/bin/sh
# expect: Kernel module load attempted
# A module image that is not one: the kernel refuses it.
python3 - <<'PY'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
image = b"not a kernel module"
libc.syscall(175, image, len(image), b"")  # init_module
PY
