#!/bin/sh
# expect: Connection to a mining pool port
# Stays on this machine: a private network namespace with a veth pair stands
# in for the internet, and the "pool" listens on 10.231.0.2:3333 inside it.
set -e
ns=shrike-pool-$$
ip netns add "$ns"
# The veth may already be gone with the namespace: under set -e a failing
# trap would become the script's status.
trap 'ip netns del "$ns" 2>/dev/null; ip link del veth-s$$ 2>/dev/null || true' EXIT
ip link add veth-s$$ type veth peer name veth-p$$
ip link set veth-p$$ netns "$ns"
ip addr add 10.231.0.1/30 dev veth-s$$
ip link set veth-s$$ up
ip netns exec "$ns" ip addr add 10.231.0.2/30 dev veth-p$$
ip netns exec "$ns" ip link set veth-p$$ up
ip netns exec "$ns" python3 -c 'import socket; s=socket.socket(); s.bind(("10.231.0.2",3333)); s.listen(1); s.settimeout(5); c,_=s.accept(); c.close()' &
# The listener may not be up yet on a loaded machine: retry for up to 5 s.
python3 -c '
import socket, time
for i in range(50):
    try:
        socket.create_connection(("10.231.0.2", 3333), timeout=3).close()
        break
    except ConnectionRefusedError:
        time.sleep(0.1)
else:
    raise SystemExit("the pool never listened")'
wait
