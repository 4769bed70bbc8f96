#!/usr/bin/env bash
# bench/run.sh — throughput figures for this machine, printed beside a static-response baseline
# of the same server. Loopback only, each load bounded in time. Usage: bench/run.sh [ROWS]
#   1. import: `trondoi gen citizens` then `trondoi import citizens` of ROWS rows (default 2,000,000)
#   2. HTTP (wrk): GET /healthz (baseline), the citizen's own record, prefill, officer reads of
#      random citizens (each writes its durable data-usage entry first), and durable dossier
#      submissions (group commit) with 64 and 256 connections
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-2000000}
DUR=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
dir=var/bench
mkdir -p "$dir"
bin=build/trondoi
csv=$dir/citizens-$ROWS.csv
db=$dir/bench-$ROWS.db

if [ ! -f "$csv" ]; then $bin gen citizens --count "$ROWS" --seed 42 >"$csv"; fi
if [ ! -f "$db" ]; then
	$bin init --db "$db" >/dev/null
	start=$(date +%s.%N)
	$bin import citizens --db "$db" "$csv"
	end=$(date +%s.%N)
	awk -v r="$ROWS" -v s="$start" -v e="$end" 'BEGIN { printf "import: %d rows in %.1f s = %.0f rows/s (goal: 2,000,000 in < 30 s)\n", r, e - s, r / (e - s) }'
else
	$bin init --db "$db" >/dev/null # a database from an older trondoi is migrated (and sealed) first
	echo "import: reusing $db (delete it to measure the import again)"
fi

# accounts: a citizen (the first row) and a province officer covering every generated commune
id=$(sed -n 2p "$csv" | cut -d, -f1)
echo bench-pass-1 | $bin user add --db "$db" --username bench.dan --role citizen --citizen "$id" --password-stdin >/dev/null 2>&1 || true
echo bench-pass-1 | $bin user add --db "$db" --username bench.officer --role officer --unit 37 --password-stdin >/dev/null 2>&1 || true
cut -d, -f1 "$csv" | tail -n +2 | shuf -n 20000 --random-source=<(yes) >"$dir/ids.txt"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$bin serve --db "$db" --port "$port" ${BENCH_THREADS:+--threads $BENCH_THREADS} 2>"$dir/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
token() { curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"$1\",\"password\":\"bench-pass-1\"}" | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/'; }
ct=$(token bench.dan)
ot=$(token bench.officer)

# the CPU time the host took from this virtual machine (steal), and all CPU time, in ticks: a
# figure measured while the host took much is low for reasons outside the program
cpu_times() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat; }
run() { # name, path, token, [lua], [connections]
	local args=(-t2 -c"${5:-$CONN}" -d"${DUR}s" --latency)
	[ -n "$3" ] && args+=(-H "Authorization: Bearer $3")
	[ -n "${4:-}" ] && args+=(-s "$4")
	local out s0 s1
	s0=$(cpu_times)
	out=$(IDS="$dir/ids.txt" wrk "${args[@]}" "http://127.0.0.1:$port$2")
	s1=$(cpu_times)
	local rps p99
	rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	local non2xx
	non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
	local steal
	steal=$(awk -v a="$s0" -v b="$s1" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.0f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0) }')
	printf '%-34s %10s req/s  p99 %8s  (steal %s %%)%s\n' "$1" "$rps" "$p99" "$steal" "${non2xx:+  (non-2xx: $non2xx)}"
	echo "$rps" >"$dir/last.rps"
}

echo "HTTP, wrk -t2 -c$CONN -d${DUR}s on 127.0.0.1 ($ROWS citizens):"
run "static baseline GET /healthz" /healthz ""
base=$(cat "$dir/last.rps")
ratio() { awk -v a="$(cat "$dir/last.rps")" -v b="$base" -v g="$1" 'BEGIN { printf "%34s %9.1f %% of baseline (goal >= %s %%)\n", "", 100 * a / b, g }'; }
run "citizen GET /api/v1/me" /api/v1/me "$ct"
ratio 25
run "citizen GET .../prefill" /api/v1/procedures/1.004873/prefill "$ct"
ratio 25
run "officer GET /citizens/{random id}" /api/v1/citizens/ "$ot" bench/officer_read.lua
ratio 12
echo "data-usage entries written: $(sqlite3 "$db" 'SELECT count(*) FROM data_usage' 2>/dev/null || echo '?')"

# durable submissions: each answered only once its group commit is on disk (synchronous=FULL)
before=$(sqlite3 "$db" 'SELECT count(*) FROM dossiers' 2>/dev/null || echo 0)
for c in "$CONN" 256; do
	run "citizen POST /api/v1/dossiers, -c$c" /api/v1/dossiers "$ct" bench/submit.lua "$c"
	awk -v a="$(cat "$dir/last.rps")" 'BEGIN { printf "%34s %9.0f durable submissions/s (goal >= 10,000)\n", "", a }'
done
after=$(sqlite3 "$db" 'SELECT count(*) FROM dossiers' 2>/dev/null || echo 0)
echo "dossiers stored by the submission runs: $((after - before))"
curl -sf "http://127.0.0.1:$port/metrics" | awk '/^trondoi_group_commit_(batches|jobs)_total/ { v[$1] = $2 }
	END { if (v["trondoi_group_commit_batches_total"] > 0) printf "group commit since the server started: %d batches, %.1f writes a batch\n",
		v["trondoi_group_commit_batches_total"], v["trondoi_group_commit_jobs_total"] / v["trondoi_group_commit_batches_total"] }' || true
