#!/usr/bin/env bash
# tests/run.sh — every test: C unit tests (cmocka) in the normal and the ASan+UBSan build,
# the fuzz corpora, unit tests and replays under valgrind, end-to-end tests against both
# binaries, under valgrind and once more (normal build) on PostgreSQL in a throwaway cluster
# (tests/pg.sh), browser tests against the ASan+UBSan build, source checks. Ends with one line
# "N passed, N failed"; exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
log=tests/.tmp
mkdir -p "$log"

add() { pass=$((pass + $1)); fail=$((fail + $2)); }
failed=() # what failed, named again just above the last line, where a short log tail shows it
failed() { failed+=("$*"); }

unit() { # the test programs
	for t in "$@"; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		out=$("$t" 2>&1)
		rc=$?
		p=$(grep -oE '^\[  PASSED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
		f=$(grep -oE '^\[  FAILED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a crash or sanitizer report
		[ "$f" -gt 0 ] && printf '%s\n' "$out" && failed "unit $t: $(grep -E '^\[  FAILED  \] [a-z_]' <<<"$out" | sed 's/.*\] //' | tr '\n' ' ')"
		echo "unit $t: $p passed, $f failed"
		add "$p" "$f"
	done
}

node_suite() { # $1 = name, then node --test arguments
	local name=$1
	shift
	out=$(timeout "${SUITE_TIMEOUT:-900}" node --test --test-reporter=tap "$@" 2>&1) # a hung suite fails, it does not stall CI
	rc=$?
	p=$(grep -oE '^# pass [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
	f=$(grep -oE '^# fail [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	printf '%s\n' "$out" >"$log/$name.tap"
	if [ "$f" -gt 0 ]; then
		grep -E -B2 -A25 '^not ok|^# Subtest' "$log/$name.tap" | grep -v '^# Subtest' | head -200
		while IFS= read -r line; do failed "$name: $line"; done < <(grep -E '^ *not ok' "$log/$name.tap" | sed -E 's/^ *not ok [0-9]+ - //' | head -20)
	fi
	echo "$name: $p passed, $f failed"
	add "$p" "$f"
}

# node_suite against the ASan+UBSan build: a sanitizer's report in a server's output fails the
# test that stops it (harness.mjs)
asan_suite() {
	local -x ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		TRONDOI_BIN=build-asan/trondoi TRONDOI_SANITIZED=1
	node_suite "$@"
}

# The fuzz targets' corpora (fuzz/corpus/<target>, seeds and what `make fuzz` once found)
# replayed through the parsers: one test a target and build.
replay() { # $1 = build dir
	for t in "$1"/replay_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/replay_}
		if out=$("$t" fuzz/corpus/"$name"/* 2>&1); then add 1 0; else printf '%s\n' "$out" | tail -20; add 0 1; failed "fuzz replay $t"; fi
		echo "fuzz replay $t: $out" | tail -1
	done
}

# valgrind: the unit tests and the corpus replays once more, no invalid access and no definite leak
grind() {
	for t in build/test_* build/replay_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		[ "${t##*/test_}" = db ] && continue # needs the PostgreSQL cluster; runs with it below
		name=${t##*/replay_}
		args=()
		[ "$name" != "$t" ] && args=(fuzz/corpus/"$name"/*)
		if out=$(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --quiet "$t" "${args[@]}" 2>&1 >/dev/null); then
			add 1 0
		else
			printf '%s\n' "$out" | tail -30
			add 0 1
			failed "valgrind $t"
		fi
	done
	echo "valgrind: unit tests and replays done"
}

unit build/test_*
unit build-asan/test_*
replay build
replay build-asan
if command -v valgrind >/dev/null; then grind; else echo "valgrind: not installed"; add 0 1; fi

if [ ! -d tests/node_modules/playwright-core ]; then
	(cd tests && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed"
fi

TRONDOI_BIN=build/trondoi node_suite e2e tests/e2e/*.test.mjs
asan_suite e2e-asan tests/e2e/*.test.mjs
# The end-to-end suite once more with every server under valgrind's memcheck (an invalid access
# or a definite leak makes it exit 99, which fails the test that stops it). The few tests that
# count a wall-clock window (sign-in back-off and limits) skip themselves there (VALGRIND in
# harness.mjs): a program some 20 times slower outlasts the window before it can fill it.
if command -v valgrind >/dev/null; then
	SUITE_TIMEOUT=2700 TRONDOI_VALGRIND=1 TRONDOI_BIN=build/trondoi node_suite e2e-valgrind tests/e2e/*.test.mjs
fi
# the same end-to-end suite on PostgreSQL 15: a cluster under a temp dir, removed on any exit
. tests/pg.sh
trap pg_stop EXIT
trap 'exit 130' INT TERM
if pg_start; then
	unit build/test_db # db.h's behaviour on PostgreSQL beside SQLite
	TRONDOI_BIN=build/trondoi node_suite e2e-pg tests/e2e/*.test.mjs
else
	echo "e2e-pg: cannot start a PostgreSQL cluster"
	add 0 1
	failed "e2e-pg: no cluster"
fi
pg_stop
# the browser suite drives the ASan+UBSan build, so the pages' requests are checked too
asan_suite browser tests/browser/*.test.mjs

out=$(tests/lint.sh 2>&1)
rc=$?
printf '%s\n' "$out"
if [ $rc -eq 0 ]; then add 1 0; else add 0 1; failed lint; fi

for f in "${failed[@]}"; do echo "FAILED $f"; done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
