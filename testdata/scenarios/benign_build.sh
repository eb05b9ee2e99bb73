#!/bin/sh
# expect-quiet: Notice
# An ordinary developer session: a git repository, a C build and its test.
set -e
d=$(mktemp -d)
cd "$d"
export HOME="$d" GIT_AUTHOR_NAME=dev GIT_AUTHOR_EMAIL=dev@example.invalid GIT_COMMITTER_NAME=dev GIT_COMMITTER_EMAIL=dev@example.invalid
git init -q .
printf '#include <stdio.h>\nint add(int a, int b) { return a + b; }\nint main(void) { printf("%%d\\n", add(2, 3)); return add(2, 3) != 5; }\n' > main.c
printf 'all: app\napp: main.c\n\tgcc -O2 -o app main.c\ntest: app\n\t./app\n' > Makefile
make -s test > /dev/null
git add main.c Makefile
git commit -q -m "first"
git log --oneline > /dev/null
sed -i 's/2, 3/3, 4/' main.c
git diff --stat > /dev/null
cd /
rm -rf "$d"
