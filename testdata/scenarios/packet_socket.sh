#!/bin/sh
# expect: Packet socket opened
# Opens and closes a packet socket, as a sniffer starts, capturing nothing.
python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)).close()'
