#!/usr/bin/env bash
# tests/pg.sh — a throwaway PostgreSQL 15 cluster for the tests: initdb under a temp dir, pg_ctl
# on a free loopback port, removed afterwards (also when the command fails or is interrupted).
#   tests/pg.sh CMD [ARG...]   runs CMD with TRONDOI_TEST_PG=postgresql://trondoi@127.0.0.1:PORT
#   . tests/pg.sh; pg_start; …; pg_stop   the same from another script (tests/run.sh)
# Each test server then creates its own database in the cluster (tests/e2e/harness.mjs).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

pg_as() { # runs a server program as the cluster's owner: PostgreSQL refuses to run as root
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trondoi-pg-XXXXXX")
	[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
	local port
	port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U trondoi --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log"; return 1; }
	# a test cluster: nothing to keep after a crash of the machine, so no fsync
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR -c max_connections=300 -c fsync=off -c full_page_writes=off" \
		start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
	export TRONDOI_TEST_PG="postgresql://trondoi@127.0.0.1:$port"
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=
	unset TRONDOI_TEST_PG
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	trap pg_stop EXIT
	trap 'exit 130' INT TERM
	pg_start || exit 1
	"$@"
fi
