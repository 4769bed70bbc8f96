#!/usr/bin/env bash
# tests/pg.sh — a throwaway PostgreSQL 15 cluster for the tests: initdb under a temp dir, pg_ctl
# on a free loopback port, removed afterwards (also when the command fails or is interrupted).
#   tests/pg.sh CMD [ARG...]   runs CMD with TRONDOI_TEST_PG=postgresql://trondoi@127.0.0.1:PORT
#   . tests/pg.sh; pg_start; …; pg_stop   the same from another script (tests/run.sh)
#   . tests/pg.sh; pg_replica_start URL   a streaming replica of the cluster at URL; prints "PORT DIR";
#                                         pg_replica_stop DIR stops and removes it (tests/e2e/replica.test.mjs)
# Each test server then creates its own database in the cluster (tests/e2e/harness.mjs).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

pg_as() { # runs a server program as the cluster's owner: PostgreSQL refuses to run as root
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_free_port() {
	node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# a temp dir the cluster's owner may write in
pg_temp_dir() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/trondoi-pg-$1XXXXXX")
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	echo "$dir"
}

# starts the server of data dir $1 on port $2 (a test cluster: nothing to keep after a crash of
# the machine, so no fsync unless PG_SETTINGS says otherwise — bench/engines.sh sets it empty, to
# compare durable commits; a replica needs max_connections as high as its primary's)
pg_run() {
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -c port=$2 -c unix_socket_directories=$1 -c max_connections=300 ${PG_SETTINGS--c fsync=off -c full_page_writes=off}" \
		start >/dev/null || { cat "$1/server.log" >&2; return 1; }
}

pg_start() {
	PG_DIR=$(pg_temp_dir "")
	local port
	port=$(pg_free_port)
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U trondoi --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log"; return 1; }
	pg_run "$PG_DIR" "$port" || return 1
	export TRONDOI_TEST_PG="postgresql://trondoi@127.0.0.1:$port"
}

# A hot standby of the cluster at $1 (postgresql://USER@127.0.0.1:PORT, a superuser): a base
# backup with the WAL streamed and the standby settings written (-R: primary_conninfo,
# standby.signal), started on a free port. initdb's pg_hba lets loopback replicate, and
# wal_level is replica by default. Prints "PORT DIR".
pg_replica_start() {
	local dir port
	dir=$(pg_temp_dir replica-)
	port=$(pg_free_port)
	pg_as "$PG_BIN/pg_basebackup" -d "$1" -D "$dir/data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 ||
		{ cat "$dir/basebackup.log" >&2; rm -rf "$dir"; return 1; }
	pg_run "$dir" "$port" || { rm -rf "$dir"; return 1; }
	echo "$port $dir"
}

pg_replica_stop() {
	[ -d "${1:-}/data" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$1"
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
