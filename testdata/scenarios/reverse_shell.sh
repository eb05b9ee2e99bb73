#!/bin/sh
# expect: Socket redirected onto standard input or output
# A loopback "reverse shell": a socket becomes the stdin/stdout of a shell.
python3 - <<'PY'
import os, socket
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
cli = socket.create_connection(srv.getsockname())
conn, _ = srv.accept()
pid = os.fork()
if pid == 0:
    os.dup2(cli.fileno(), 0)
    os.dup2(cli.fileno(), 1)
    os.execv("/bin/sh", ["sh", "-c", "read x; echo done"])
conn.sendall(b"hello\n")
os.waitpid(pid, 0)
PY
