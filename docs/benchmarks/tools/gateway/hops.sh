#!/usr/bin/env bash
# Where a gateway call's time goes (issue 11; docs/BENCHMARKS.md "Gateway overhead", hop by hop): one
# `switchyard serve` in front of the nginx mock (the gateway benchmark's fleet.conf), warmed up, then
#   one connection  hey, one request at a time (HOPS_REQUESTS each): the mock directly; Switchyard's GET /health
#                   (the HTTP server, the route tree and a JSON reply, no engine); a model id (passthrough: the
#                   query entity, the pool, its worker and the upstream client besides); the cold bandit pipeline
#   profile         a JFR recording (settings=profile) while PROFILE_CLIENTS clients call the model id for
#                   PROFILE_SECONDS; hops.py files every CPU sample of the engine's threads under the hop it
#                   belongs to
# Writes OUT/hops.json and OUT/hops.md. Needs nginx, hey (Debian: nginx-light, hey) and a JDK (jcmd, jfr).
# Run from the repository root: bash docs/benchmarks/tools/gateway/hops.sh [OUT_DIR]
# SWITCHYARD (default: this checkout's launcher) measures another build, e.g. an older commit's worktree.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/target/bench/hops}" && cd "${1:-$ROOT/target/bench/hops}" && pwd)
HOPS_REQUESTS=${HOPS_REQUESTS:-5000}
PROFILE_CLIENTS=${PROFILE_CLIENTS:-16}
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
WARMUP_REQUESTS=${WARMUP_REQUESTS:-100000}
DATA=${DATA:-$ROOT/../shared/data/zellinger-cascade9/queries.jsonl}
MOCK_PORT=18821 SERVE_PORT=18820
TOOLS=$ROOT/docs/benchmarks/tools/gateway
SW=${SWITCHYARD:-$ROOT/switchyard}
RUN=$OUT/run
mkdir -p "$RUN"
# shellcheck source=bench-lib.sh
source "$TOOLS/bench-lib.sh"

SERVE=""
trap stop_node_and_mock EXIT

for tool in hey jcmd jfr; do
  command -v $tool >/dev/null || { echo "hops: $tool is needed (hey, a JDK)" >&2; exit 2; }
done
start_mock "$RUN" "$MOCK_PORT"

train_linear "$DATA" "$RUN/linear.json" "$RUN/train.log"
rm -rf "$RUN/state"
SWITCHYARD_BENCH_MOCK="http://127.0.0.1:$MOCK_PORT" SWITCHYARD_BENCH_POLICY="$RUN/linear.json" SWITCHYARD_LOG_LEVEL=WARNING \
  "$SW" serve --config "$TOOLS/fleet.conf" --port "$SERVE_PORT" --state-dir "$RUN/state" > "$RUN/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$SERVE_PORT/ready" && break; sleep 1; done
curl -sf -o /dev/null "http://127.0.0.1:$SERVE_PORT/ready" || { echo "hops: serve did not come up (see $RUN/serve.log)" >&2; exit 1; }

chat() { echo "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}"; }
S=http://127.0.0.1:$SERVE_PORT
hey -n "$WARMUP_REQUESTS" -c 50 -m POST -T application/json -d "$(chat small)" "$S/v1/chat/completions" > /dev/null
hey -n "$((WARMUP_REQUESTS / 4))" -c 50 -m POST -T application/json -d "$(chat bench/bandit)" "$S/v1/chat/completions" > /dev/null

one() { # label, hey arguments...
  local label=$1
  shift
  hey -n "$HOPS_REQUESTS" -c 1 "$@" > "$RUN/$label.hey"
  awk -v l="$label" '/50% in/{p50=$3*1000} /99% in/{p99=$3*1000} /Requests\/sec/{rps=$2}
    /^ +\[[0-9]+\]/{gsub(/[\[\]]/,"",$1); codes=codes $1 ":" $2 " "}
    END{printf "{\"label\":\"%s\",\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"rps\":%.1f,\"codes\":\"%s\"}\n", l, p50, p99, rps, codes}' \
    "$RUN/$label.hey"
}
{
  one direct -m POST -T application/json -d "$(chat mock)" "http://127.0.0.1:$MOCK_PORT/v1/chat/completions"
  one health "$S/health"
  one passthrough -m POST -T application/json -d "$(chat small)" "$S/v1/chat/completions"
  one bandit -m POST -T application/json -d "$(chat bench/bandit)" "$S/v1/chat/completions"
} > "$RUN/one-connection.jsonl"

jcmd "$SERVE" JFR.start name=hops settings=profile filename="$RUN/hops.jfr" > /dev/null
hey -z "${PROFILE_SECONDS}s" -c "$PROFILE_CLIENTS" -m POST -T application/json -d "$(chat small)" \
  "$S/v1/chat/completions" > "$RUN/profile.hey"
jcmd "$SERVE" JFR.stop name=hops > /dev/null
PROFILED=$(awk '/Total:/{t=$2} /Requests\/sec/{r=$2} END{printf "%d", t*r}' "$RUN/profile.hey")
jfr print --events jdk.ExecutionSample --stack-depth 256 "$RUN/hops.jfr" > "$RUN/samples.txt"
jfr summary "$RUN/hops.jfr" > "$RUN/jfr-summary.txt"
jfr print --events jdk.GarbageCollection "$RUN/hops.jfr" > "$RUN/gc.txt"
python3 "$TOOLS/hops.py" "$RUN/one-connection.jsonl" "$RUN/samples.txt" "$RUN/gc.txt" "$PROFILED" "$PROFILE_SECONDS" \
  "$OUT/hops.json" > "$OUT/hops.md"
cat "$OUT/hops.md"
