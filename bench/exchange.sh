#!/usr/bin/env bash
# bench/exchange.sh — exchange calls per second through the full path (POST /x/…: headers, the
# client's Ed25519 signature, grant and purpose, replay check, the provider, the message-log entry
# chained, signed and on disk before the answer) against a direct local call for the same data (an
# officer's GET /api/v1/citizens/{id}, whose data-usage entry is on disk before the answer too),
# beside GET /healthz. wrk -t1 (each exchange request is replayed once: the ids must not repeat),
# loopback only, bounded in time (BENCH_SECONDS, default 10; BENCH_CONNECTIONS, default 64).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
dir=var/bench-exchange
rm -rf "$dir" && mkdir -p "$dir"
db=$dir/bench.db
build/trondoi init --db "$db" --demo >/dev/null
DB=$db OUT=$dir/requests.tsv N=$((DUR * 15000)) node bench/exchange.mjs
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
build/trondoi serve --db "$db" --port "$port" ${BENCH_THREADS:+--threads $BENCH_THREADS} 2>"$dir/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
# canbo.tinh: an officer of province 37, which took in province 36 (the demo's) in the 2025 reform
ot=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -d '{"username":"canbo.tinh","password":"trondoi-demo"}' |
	sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
run() { # name, path, [token], [lua]
	local args=(-t1 -c"$CONN" -d"${DUR}s" --latency)
	[ -n "${3:-}" ] && args+=(-H "Authorization: Bearer $3")
	[ -n "${4:-}" ] && args+=(-s "$4")
	local out rps p99 non2xx
	out=$(IDS="$dir/requests.tsv.ids" REQS="$dir/requests.tsv" wrk "${args[@]}" "http://127.0.0.1:$port$2")
	rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
	printf '%-46s %10s req/s  p99 %8s%s\n' "$1" "$rps" "$p99" "${non2xx:+  (non-2xx: $non2xx)}"
	echo "$rps" >"$dir/$5.rps"
}
echo "wrk -t1 -c$CONN -d${DUR}s on 127.0.0.1, demo database (300 citizens):"
run "GET /healthz" /healthz "" "" base
run "direct: officer GET /api/v1/citizens/{id}" /api/v1/citizens/ "$ot" bench/officer_read.lua direct
run "exchange: POST /x/…/person/v1 (signed, logged)" /x/GOV/BCA/CSDLQGDC/person/v1 "" bench/exchange.lua exchange
awk -v x="$(cat $dir/exchange.rps)" -v d="$(cat $dir/direct.rps)" -v b="$(cat $dir/base.rps)" \
	'BEGIN { printf "exchange = %.0f %% of the direct call, %.0f %% of /healthz\n", 100 * x / d, 100 * x / b }'
build/trondoi exchange verify-log --db "$db"
