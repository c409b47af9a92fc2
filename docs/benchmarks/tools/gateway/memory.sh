#!/usr/bin/env bash
# The memory runs of the gateway benchmark (issue 11; docs/BENCHMARKS.md "Memory"), one `switchyard serve` with
# the launcher's default heap in front of the nginx mock:
#   footprint  heap after a full GC before and after FOOTPRINT_REQUESTS ephemeral queries whose finished entities
#              are kept: the heap an idle query entity holds
#   inflight   a model that takes about five seconds (nginx at 50 bytes/s) offered more requests than
#              INFLIGHT_CONNECTIONS connections can carry: how many calls the node holds at once (its pool in-flight
#              gauge), and its resident memory while it does
#   soak       SOAK_RATE req/s open loop for SOAK_DURATION (after 30 s of uncounted warm-up), resident memory (VmRSS) and heap after a full GC every
#              SAMPLE_EVERY seconds, and the growth over the last half of the run (least-squares slope)
# Run from the repository root: bash docs/benchmarks/tools/gateway/memory.sh [OUT_DIR]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/target/bench/memory}" && cd "${1:-$ROOT/target/bench/memory}" && pwd)
FOOTPRINT_REQUESTS=${FOOTPRINT_REQUESTS:-20000}
SOAK_RATE=${SOAK_RATE:-2000}
SOAK_DURATION=${SOAK_DURATION:-600}
SAMPLE_EVERY=${SAMPLE_EVERY:-30}
INFLIGHT_CONNECTIONS=${INFLIGHT_CONNECTIONS:-1000}
MODEL=${MODEL:-bench/bandit}
MOCK_PORT=18811 SERVE_PORT=18810
TOOLS=$ROOT/docs/benchmarks/tools/gateway
SW=$ROOT/switchyard
RUN=$OUT/run
mkdir -p "$RUN"
# shellcheck source=bench-lib.sh
source "$TOOLS/bench-lib.sh"

SERVE=""
trap stop_node_and_mock EXIT

command -v jcmd >/dev/null || { echo "memory: jcmd (a JDK) is needed to read the heap after GC" >&2; exit 2; }
start_mock "$RUN" "$MOCK_PORT"

# The fleet names the linear router's artifact too: the one gateway-bench.sh trained, else one trained now.
POLICY=$ROOT/target/bench/gateway/run/linear.json
if [ ! -f "$POLICY" ]; then
  POLICY=$RUN/linear.json
  train_linear "${DATA:-$ROOT/../shared/data/zellinger-cascade9/queries.jsonl}" "$POLICY" "$RUN/train.log"
fi
start_serve() { # extra JVM flags
  rm -rf "$RUN/state"
  JAVA_OPTS="${1:-}" SWITCHYARD_BENCH_MOCK="http://127.0.0.1:$MOCK_PORT" SWITCHYARD_BENCH_POLICY="$POLICY" \
    SWITCHYARD_LOG_LEVEL=WARNING \
    "$SW" serve --config "$TOOLS/fleet.conf" --port "$SERVE_PORT" --state-dir "$RUN/state" >> "$RUN/serve.log" 2>&1 &
  SERVE=$!
  for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$SERVE_PORT/ready" && break; sleep 1; done
}
stop_serve() {
  kill "$SERVE"
  wait "$SERVE" 2>/dev/null || true
  SERVE=""
}
URL="http://127.0.0.1:$SERVE_PORT/v1/chat/completions"

heap_after_gc_mb() {
  jcmd "$SERVE" GC.run > /dev/null
  # G1 prints one line for the heap, the parallel collector (serve's default) one per generation
  jcmd "$SERVE" GC.heap_info | awk '/garbage-first heap|PSYoungGen|ParOldGen/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K,?/, "", v); kb += v } }
    END { printf "%.1f\n", kb / 1024 }'
}
rss_mb() { awk '/VmRSS/ { printf "%.1f\n", $2 / 1024 }' "/proc/$SERVE/status"; }

# Footprint: finished queries kept (they are passivated 1 s after their end by default) to count them; a warm-up
# first (classes, JIT, pools) whose entities are in the "before" heap too.
start_serve "-Dswitchyard.query.passivate-finished-ephemeral-after=10m"
"$SW" bench rate --url "$URL" --model "$MODEL" --rates 1000 --warmup 0s --duration 5s --out "$RUN/warmup.json" > /dev/null
before=$(heap_after_gc_mb)
"$SW" bench rate --url "$URL" --model "$MODEL" --rates 2000 --warmup 0s \
  --duration "$((FOOTPRINT_REQUESTS / 2000))s" --out "$OUT/footprint-load.json" > /dev/null
after=$(heap_after_gc_mb)
python3 - "$before" "$after" "$FOOTPRINT_REQUESTS" "$OUT/footprint.json" <<'EOF'
import json, sys
before, after, n, out = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = {"heap_after_gc_mb_before": before, "heap_after_gc_mb_after": after, "idle_entities": n,
     "bytes_per_idle_query_entity": round((after - before) * 1024 * 1024 / n)}
json.dump(r, open(out, "w"), indent=2)
print("footprint:", r)
EOF
stop_serve

# In flight: HTTP/1.1 carries one request per connection, so the connections are the ceiling; one client (all of
# this machine is one address) may hold switchyard.http.max-connections-per-client (256) of them, the node
# pekko.http.server.max-connections (1024). The per-client bound is lifted here to see the node's.
start_serve "-Dswitchyard.http.max-connections-per-client=1024"
"$SW" bench rate --url "$URL" --model slow --rates $((INFLIGHT_CONNECTIONS / 4)) --warmup 0s --duration 20s \
  --connections "$INFLIGHT_CONNECTIONS" --out "$OUT/inflight-load.json" > "$RUN/inflight-load.log" 2>&1 &
LOAD=$!
max_inflight=0 rss_at_max=0
while kill -0 "$LOAD" 2>/dev/null; do
  sleep 1
  n=$(curl -s "http://127.0.0.1:$SERVE_PORT/metrics" | awk '/^switchyard_pool_in_flight\{model="slow"\}/ { printf "%d", $2 }')
  if [ -n "$n" ] && [ "$n" -gt "$max_inflight" ]; then max_inflight=$n; rss_at_max=$(rss_mb); fi
done
wait "$LOAD" || true
python3 - "$max_inflight" "$rss_at_max" "$INFLIGHT_CONNECTIONS" "$OUT/inflight-load.json" "$OUT/inflight.json" <<'EOF'
import json, sys
load = json.load(open(sys.argv[4]))["rates"][0]
r = {"connections": int(sys.argv[3]), "max_calls_in_flight": int(sys.argv[1]), "rss_mb_at_max": float(sys.argv[2]),
     "ok": load["ok"], "errors": load["errors"], "error_kinds": load["error_kinds"], "latency_ms": load["latency_ms"]}
json.dump(r, open(sys.argv[5], "w"), indent=2)
print("inflight:", r)
EOF
stop_serve

# Soak, with the defaults.
start_serve
"$SW" bench rate --url "$URL" --model "$MODEL" --rates "$SOAK_RATE" --warmup 30s --duration "${SOAK_DURATION}s" \
  --out "$OUT/soak-load.json" > "$RUN/soak-load.log" 2>&1 &
LOAD=$!
echo "t_s,rss_mb,heap_after_gc_mb" > "$OUT/soak.csv"
start=$(date +%s)
while kill -0 "$LOAD" 2>/dev/null; do
  sleep "$SAMPLE_EVERY"
  kill -0 "$LOAD" 2>/dev/null || break
  echo "$(( $(date +%s) - start )),$(rss_mb),$(heap_after_gc_mb)" >> "$OUT/soak.csv"
done
wait "$LOAD"
python3 - "$OUT/soak.csv" "$OUT/soak-load.json" "$OUT/soak.json" <<'EOF'
import csv, json, sys
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(sys.argv[1]))]
load = json.load(open(sys.argv[2]))["rates"][0]
half = [r for r in rows if r["t_s"] >= rows[-1]["t_s"] / 2]
def slope(key):  # MB per minute, least squares over the last half of the run
    n = len(half)
    if n < 2:
        return None
    mx = sum(r["t_s"] for r in half) / n
    my = sum(r[key] for r in half) / n
    sxx = sum((r["t_s"] - mx) ** 2 for r in half)
    return round(60 * sum((r["t_s"] - mx) * (r[key] - my) for r in half) / sxx, 3)
out = {"offered_rps": load["offered_rps"], "achieved_rps": load["achieved_rps"], "errors": load["errors"],
       "latency_ms": load["latency_ms"], "samples": len(rows),
       "rss_mb_max": max(r["rss_mb"] for r in rows), "rss_mb_last": rows[-1]["rss_mb"],
       "heap_after_gc_mb_max": max(r["heap_after_gc_mb"] for r in rows),
       "rss_mb_per_min_last_half": slope("rss_mb"), "heap_mb_per_min_last_half": slope("heap_after_gc_mb")}
json.dump(out, open(sys.argv[3], "w"), indent=2)
print("soak:", out)
EOF
