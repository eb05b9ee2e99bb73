#!/bin/sh
# expect: Download piped into a shell
# expect-sigma: Curl Usage on Linux
# `curl URL | sh` against a one-request web server on loopback.
set -e
d=$(mktemp -d)
printf 'echo piped-script-ran\n' > "$d/install.sh"
python3 -c '
import http.server, os, socketserver, sys
os.chdir(sys.argv[1])
http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
s = socketserver.TCPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
with open("port.tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename("port.tmp", "port")
s.handle_request()
' "$d" &
while [ ! -s "$d/port" ]; do sleep 0.05; done
curl -fsS "http://127.0.0.1:$(cat "$d/port")/install.sh" | sh
wait
rm -rf "$d"
