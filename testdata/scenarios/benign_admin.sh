#!/bin/sh
# expect-quiet: Warning
# expect: Program compiled here run from a temporary directory
# An administrator's and a developer's ordinary day, offline: a package
# installed and removed through apt and dpkg (built here, so nothing is
# fetched and nothing else is upgraded), a Python package into a venv,
# programs built and run in a temporary directory with gcc, rustc and cargo,
# a key made with ssh-keygen, a package's log rotated by logrotate and
# removed with the package, and a daemon started and stopped the way init
# scripts do.
set -e
d=$(mktemp -d)
cd "$d"

# A package with maintainer scripts, through apt (a local .deb) and dpkg.
mkdir -p pkg/DEBIAN pkg/usr/share/doc/shrike-benign
printf 'Package: shrike-benign\nVersion: 1.0\nArchitecture: all\nMaintainer: dev <dev@example.invalid>\nDescription: a package the benign scenario installs and removes\n' > pkg/DEBIAN/control
printf '#!/bin/sh\nset -e\nmkdir -p /var/lib/shrike-benign /var/log/shrike-benign\necho installed >> /var/log/shrike-benign/app.log\n' > pkg/DEBIAN/postinst
printf '#!/bin/sh\nset -e\nrm -rf /var/lib/shrike-benign /var/log/shrike-benign\n' > pkg/DEBIAN/postrm
chmod 0755 pkg/DEBIAN/postinst pkg/DEBIAN/postrm
echo "installed by the benign scenario" > pkg/usr/share/doc/shrike-benign/README
dpkg-deb --root-owner-group --build pkg shrike-benign.deb > /dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ./shrike-benign.deb > /dev/null 2>&1
dpkg -s shrike-benign > /dev/null
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq shrike-benign > /dev/null 2>&1
dpkg -i shrike-benign.deb > /dev/null
# The package's log, written and rotated twice by logrotate (the second
# rotation deletes the first's archive), then removed with the package.
echo "request served" >> /var/log/shrike-benign/app.log
printf '/var/log/shrike-benign/app.log {\n    rotate 1\n    compress\n    create 0640 root root\n}\n' > logrotate.conf
logrotate -f -s "$d/logrotate.state" logrotate.conf
echo "request served" >> /var/log/shrike-benign/app.log
logrotate -f -s "$d/logrotate.state" logrotate.conf
dpkg --purge shrike-benign > /dev/null

# A wheel installed into a virtual environment, offline.
python3 - <<'EOF'
import zipfile
with zipfile.ZipFile("shrike_benign-1.0-py3-none-any.whl", "w") as z:
    z.writestr("shrike_benign/__init__.py", "def add(a, b):\n    return a + b\n")
    z.writestr("shrike_benign-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: shrike-benign\nVersion: 1.0\n")
    z.writestr("shrike_benign-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("shrike_benign-1.0.dist-info/RECORD", "")
EOF
python3 -m venv venv
venv/bin/python -m pip install -q --no-index --disable-pip-version-check shrike_benign-1.0-py3-none-any.whl
venv/bin/python -c 'import shrike_benign; assert shrike_benign.add(2, 3) == 5'

# Programs built and run in the temporary directory, by hand and by cargo
# (cargo run execs what it built).
printf 'int main(void) { return 0; }\n' > c.c
gcc -O2 -o c c.c
./c
printf 'fn main() { println!("ok"); }\n' > r.rs
rustc -O r.rs
./r > /dev/null
CARGO_TARGET_DIR="$d/target" cargo new -q --vcs none hello
(cd hello && CARGO_TARGET_DIR="$d/target" cargo run -q --offline > /dev/null)

# A key for a deployment.
ssh-keygen -q -t ed25519 -N '' -C deploy -f "$d/deploy_key"

# A daemon started and stopped as an init script does.
start-stop-daemon --start --background --make-pidfile --pidfile "$d/daemon.pid" --exec /bin/sleep -- 30
start-stop-daemon --stop --pidfile "$d/daemon.pid" --retry 5 > /dev/null

cd /
rm -rf "$d"
