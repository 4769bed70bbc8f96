#!/usr/bin/env bash
# bench/engines.sh — the same benchmarks on SQLite and on PostgreSQL 15, side by side with the
# ratio PostgreSQL / SQLite. Loopback only; every load bounded in time or count.
# Usage: bench/engines.sh [CITIZENS [DOSSIERS]]   (defaults 20,000 and 20,000)
#   BENCH_REPLICA=1 adds a third engine: PostgreSQL with a streaming replica of the cluster on the
#   same machine (serve --db-replica; tests/pg.sh pg_replica_start), and the share of the reads
#   the replica served.
#   BENCH_SECONDS (default 5) each wrk run; BENCH_CONNECTIONS (default 32); BENCH_RUNS (default 10)
#   hyperfine runs of the report.
# For each engine: a fresh database (SQLite: a file under var/bench/engines/; PostgreSQL: a
# throwaway cluster of tests/pg.sh, with fsync on, as SQLite's synchronous=FULL), `import
# citizens` and `gen dossiers` timed; then `trondoi serve` driven by wrk (bench/run.sh's loads:
# GET /healthz, the citizen's own record, officer reads of random citizens with their durable
# usage entries, durable dossier submissions) and hyperfine (bench/report.sh's province-year
# report of the 766 index).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-20000}
DOSSIERS=${2:-20000}
DUR=${BENCH_SECONDS:-5}
CONN=${BENCH_CONNECTIONS:-32}
RUNS=${BENCH_RUNS:-10}
for tool in wrk hyperfine; do command -v $tool >/dev/null || { echo "installing $tool"; apt-get install -y -qq $tool >/dev/null; }; done
bin=build/trondoi
dir=var/bench/engines
rm -rf "$dir"
mkdir -p "$dir"
results=$dir/results.tsv
: >"$results"
. tests/pg.sh
pid=
replica=
cleanup() {
	[ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
	[ -n "$replica" ] && pg_replica_stop "$replica"
	pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM

record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"; } # engine, what, figure
timed() { # seconds a command takes
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

wrk_run() { # engine, label, path, token, [lua], prints and records req/s and p99
	local args=(-t2 -c"$CONN" -d"${DUR}s" --latency) out rps p99 non2xx
	[ -n "$4" ] && args+=(-H "Authorization: Bearer $4")
	[ -n "${5:-}" ] && args+=(-s "$5")
	out=$(IDS="$dir/ids.txt" wrk "${args[@]}" "http://127.0.0.1:$port$3")
	rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
	[ -z "$non2xx" ] || echo "  $2: $non2xx answers were not 2xx" >&2
	record "$1" "$2 (req/s)" "$rps"
	record "$1" "$2 p99" "$p99"
}

bench_engine() { # engine name, database URL
	local engine=$1 db=$2 files=()
	echo "== $engine: $db" >&2
	$bin init --db "$db" >/dev/null
	record "$engine" "import $ROWS citizens (s)" "$(timed $bin import citizens --db "$db" "$dir/citizens.csv")"
	record "$engine" "gen $DOSSIERS dossiers (s)" "$(timed $bin gen dossiers --db "$db" --count "$DOSSIERS" --province 37 --year 2026 --seed 7)"
	local id
	id=$(sed -n 2p "$dir/citizens.csv" | cut -d, -f1)
	echo bench-pass-1 | $bin user add --db "$db" --username bench.dan --role citizen --citizen "$id" --password-stdin >/dev/null
	echo bench-pass-1 | $bin user add --db "$db" --username bench.officer --role officer --unit 37 --password-stdin >/dev/null
	echo bench-pass-1 | $bin user add --db "$db" --username bench.lead --role leader --unit 37 --password-stdin >/dev/null
	db_is_pg "$db" && files=(--files "$dir/files-$engine")
	port=$(pg_free_port)
	$bin serve --db "$db" --port "$port" "${files[@]}" "${SERVE_ARGS[@]}" 2>"$dir/serve-$engine.log" &
	pid=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
	local ct ot lt
	token() { curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"$1\",\"password\":\"bench-pass-1\"}" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/'; }
	ct=$(token bench.dan)
	ot=$(token bench.officer)
	lt=$(token bench.lead)
	wrk_run "$engine" "GET /healthz (no database)" /healthz ""
	wrk_run "$engine" "citizen GET /api/v1/me" /api/v1/me "$ct"
	wrk_run "$engine" "officer GET /citizens/{random}" /api/v1/citizens/ "$ot" bench/officer_read.lua
	wrk_run "$engine" "citizen POST /api/v1/dossiers" /api/v1/dossiers "$ct" bench/submit.lua
	# the report: first call brings the counters up to date (the submissions above), then timed
	curl -sf -o /dev/null -H "Authorization: Bearer $lt" "http://127.0.0.1:$port/api/v1/reports/766?unit=37&period=2026"
	hyperfine -N --runs "$RUNS" --warmup 2 --export-json "$dir/report-$engine.json" \
		"curl -sf -o /dev/null -H 'Authorization: Bearer $lt' 'http://127.0.0.1:$port/api/v1/reports/766?unit=37&period=2026'" >/dev/null 2>&1
	record "$engine" "report 766, province, year (ms)" \
		"$(python3 -c "import json, sys; print('%.1f' % (json.load(open(sys.argv[1]))['results'][0]['mean'] * 1000))" "$dir/report-$engine.json")"
	if [ ${#SERVE_ARGS[@]} -gt 0 ]; then
		curl -sf "http://127.0.0.1:$port/metrics" | awk '/^trondoi_db_reads_total/ { n[$1] = $2 }
			END { printf "%.1f\n", 100 * n["trondoi_db_reads_total{server=\"replica\"}"] / (n["trondoi_db_reads_total{server=\"replica\"}"] + n["trondoi_db_reads_total{server=\"primary\"}"]) }' |
			{ read -r share; record "$engine" "reads served by the replica (%)" "$share"; }
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}
SERVE_ARGS=()
db_is_pg() { [[ $1 == postgresql://* ]]; }

$bin gen citizens --count "$ROWS" --seed 42 >"$dir/citizens.csv"
cut -d, -f1 "$dir/citizens.csv" | tail -n +2 | shuf -n 5000 --random-source=<(yes) >"$dir/ids.txt"

bench_engine sqlite "$dir/trondoi.db"

PG_SETTINGS="" pg_start # durable: fsync on, as SQLite's synchronous=FULL
psql -X -q -d "$TRONDOI_TEST_PG/postgres" -c 'CREATE DATABASE bench'
export TRONDOI_NODE_KEY=$PWD/$dir/node-key # PostgreSQL has no database file to keep it beside
bench_engine postgresql "$TRONDOI_TEST_PG/bench"
if [ -n "${BENCH_REPLICA:-}" ]; then
	read -r rport replica < <(PG_SETTINGS="" pg_replica_start "$TRONDOI_TEST_PG")
	psql -X -q -d "$TRONDOI_TEST_PG/postgres" -c 'CREATE DATABASE bench_replica'
	SERVE_ARGS=(--db-replica "${TRONDOI_TEST_PG%:*}:$rport/bench_replica")
	bench_engine replica "$TRONDOI_TEST_PG/bench_replica"
	pg_replica_stop "$replica"
	replica=
fi
pg_stop

echo
echo "bench/engines.sh: $ROWS citizens, $DOSSIERS dossiers; wrk -t2 -c$CONN -d${DUR}s; report mean of $RUNS; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" <<'PY'
import sys
rows, order = {}, []
for line in open(sys.argv[1]):
    engine, what, v = line.rstrip("\n").split("\t")
    if what not in rows:
        rows[what] = {}
        order.append(what)
    rows[what][engine] = v
def num(v):  # wrk's 12.5ms / 1.2s / 800us, or a plain number
    for suffix, f in (("us", 1e-3), ("ms", 1), ("s", 1e3)):
        if v.endswith(suffix):
            return float(v[: -len(suffix)]) * f
    return float(v)
def ratio(x, y):
    try:
        return f"{num(x) / num(y):.2f}"
    except (ValueError, ZeroDivisionError):
        return "?"
replica = any("replica" in r for r in rows.values())
head = f"{'what':<42} {'SQLite':>12} {'PostgreSQL':>12} {'PG / SQLite':>12}"
print(head + (f" {'PG+replica':>12} {'/ PG':>8}" if replica else ""))
for what in order:
    a, b, c = (rows[what].get(e, "?") for e in ("sqlite", "postgresql", "replica"))
    line = f"{what:<42} {a:>12} {b:>12} {ratio(b, a):>12}"
    print(line + (f" {c:>12} {ratio(c, b):>8}" if replica else ""))
PY
