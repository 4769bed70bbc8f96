#!/usr/bin/env bash
# tests/lint.sh — source checks: no banned string functions; every .c file says what it is for
# on its first line.
set -u
cd "$(dirname "$0")/.."
bad=0
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strncpy)\s*\(' src/ -r --include='*.c' --include='*.h' | grep -v 'banned.h'; then
	echo "lint: banned functions above (use snprintf / struct buf)"
	bad=1
fi
for f in $(find src tools -name '*.c' -o -name '*.h'); do
	head -1 "$f" | grep -q '^/\*' || { echo "lint: $f does not start with a comment saying what it is for"; bad=1; }
done
[ $bad -eq 0 ] && echo "lint: ok"
exit $bad
