#!/usr/bin/env bash
# bench/report.sh — the Decision 766 index of a province over many dossiers (issue 7's goal: a
# province over 1,000,000 dossiers in under 0.5 s). Loopback only, bounded runs.
# Usage: bench/report.sh [DOSSIERS]   (default 1,000,000)
#   1. `trondoi gen dossiers` writes them over the province's communes and the reporting year
#      2026, and the counters take them in (printed: how long each took)
#   2. hyperfine times GET /api/v1/reports/766 for the province and the year (every commune's
#      total too, for ranking), a quarter, and one commune's month; then the same year report
#      right after one more dossier changed (the counters catch up first)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${BENCH_RUNS:-20}
command -v hyperfine >/dev/null || { echo "installing hyperfine"; apt-get install -y -qq hyperfine >/dev/null; }
dir=var/bench
mkdir -p "$dir"
bin=build/trondoi
db=$dir/report-$N.db
if [ ! -f "$db" ]; then
	$bin init --db "$db" >/dev/null
	$bin gen dossiers --db "$db" --count "$N" --province 37 --year 2026 --seed 7
	echo bench-pass-1 | $bin user add --db "$db" --username bench.lead --role leader --unit 37 --password-stdin >/dev/null
else
	$bin init --db "$db" >/dev/null # a database from an older trondoi is migrated (and sealed) first
	echo "reusing $db (delete it to generate again)"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$bin serve --db "$db" --port "$port" 2>"$dir/serve-report.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
tok=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -d '{"username":"bench.lead","password":"bench-pass-1"}' |
	sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
get() { curl -sf -o /dev/null -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/reports/766?$1"; }
commune=$(sqlite3 "$db" 'SELECT unit FROM report_counts GROUP BY unit ORDER BY SUM(received) DESC LIMIT 1')
counted=$(sqlite3 "$db" 'SELECT SUM(received) FROM report_counts')
rows=$(sqlite3 "$db" 'SELECT COUNT(*) FROM report_counts')
echo "dossiers counted: $counted in $rows rows of report_counts (unit × procedure × half-month)"
get "unit=37&period=2026" # warm the caches once

# a dossier marked changed, as every write marks it: the report takes it in before it answers
touch="PRAGMA busy_timeout = 5000; INSERT INTO report_dirty (code) SELECT code FROM dossiers WHERE rowid = abs(random()) % $counted + 1 ON CONFLICT DO NOTHING"
export -f get
export tok port
hyperfine -N --runs "$RUNS" --warmup 2 --export-json "$dir/report.json" --prepare true --prepare true --prepare true \
	--prepare "sqlite3 $db \"$touch\"" \
	-n "province, year 2026 ($N dossiers)" "bash -c 'get \"unit=37&period=2026\"'" \
	-n "province, quarter 2026-Q2" "bash -c 'get \"unit=37&period=2026-Q2\"'" \
	-n "commune $commune, month 2026-06" "bash -c 'get \"unit=$commune&period=2026-06\"'" \
	-n "province, year, one dossier changed just before" "bash -c 'get \"unit=37&period=2026\"'" 2>&1 |
	grep -E '^Benchmark|Time \(mean'
python3 - "$dir/report.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    m = r["mean"]
    print(f"{r['command']:<48} mean {m*1000:8.1f} ms   goal < 500 ms: {'met' if m < 0.5 else 'NOT met'}")
PY
