#!/usr/bin/env bash
# The gateway benchmark (issue 11; docs/BENCHMARKS.md "Gateway overhead"): on one box, open-loop load at fixed
# offered rates (switchyard bench rate) against
#   direct       the nginx mock itself
#   passthrough  Switchyard, a model id
#   bandit       Switchyard, a cold UCB1 pipeline (bench/bandit)
#   linear       Switchyard, a trained linear router (bench/linear, `switchyard train --strategy routellm-classifier`)
#   stream       Switchyard, a model id, streamed (the mock answers as server-sent events)
#   portkey      Portkey's open-source gateway (npm @portkey-ai/gateway), where npm is there
# and writes every result to one JSON file plus a Markdown table. Needs nginx (Debian: nginx-light); run from
# the repository root: bash docs/benchmarks/tools/gateway/gateway-bench.sh [OUT_DIR]
# Settings by environment: RATES (default 500,1000,2000,4000,8000), DURATION (10s), WARMUP (3s),
# CONNECTIONS (50), TARGETS (all of the above), PORTKEY_VERSION (1.15.2), DATA (the recording to train on).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/target/bench/gateway}" && cd "${1:-$ROOT/target/bench/gateway}" && pwd)
RATES=${RATES:-500,1000,2000,4000,8000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-50}
TARGETS=${TARGETS:-direct passthrough bandit linear stream portkey}
PORTKEY_VERSION=${PORTKEY_VERSION:-1.15.2}
DATA=${DATA:-$ROOT/../shared/data/zellinger-cascade9/queries.jsonl}
MOCK_PORT=18801 SERVE_PORT=18800 PORTKEY_PORT=18802
TOOLS=$ROOT/docs/benchmarks/tools/gateway
SW=$ROOT/switchyard
RUN=$OUT/run
mkdir -p "$RUN"
# shellcheck source=bench-lib.sh
source "$TOOLS/bench-lib.sh"

PIDS=()
stop_all() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  [ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
}
trap stop_all EXIT

wait_for() { # url, what, [any: any HTTP answer will do]
  for _ in $(seq 1 120); do
    if [ "${3:-}" = any ]; then
      [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" != 000 ] && return 0
    else
      curl -sf -o /dev/null "$1" && return 0
    fi
    sleep 1
  done
  echo "gateway-bench: $2 did not come up at $1" >&2
  exit 1
}

start_mock "$RUN" "$MOCK_PORT"
curl -sf -o /dev/null -X POST "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" \
  || { echo "gateway-bench: the nginx mock does not answer on $MOCK_PORT" >&2; exit 1; }

rate() { # label, url, model, extra flags...
  local label=$1 url=$2 model=$3
  shift 3
  echo "== $label"
  "$SW" bench rate --url "$url" --model "$model" --rates "$RATES" --duration "$DURATION" --warmup "$WARMUP" \
    --connections "$CONNECTIONS" --label "$label" --out "$OUT/$label.json" "$@"
}

wants() { [[ " $TARGETS " == *" $1 "* ]]; }

if wants direct; then
  rate direct "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" mock
fi

if wants passthrough || wants bandit || wants linear || wants stream; then
  train_linear "$DATA" "$RUN/linear.json" "$RUN/train.log"
  rm -rf "$RUN/state"
  SWITCHYARD_BENCH_MOCK="http://127.0.0.1:$MOCK_PORT" SWITCHYARD_BENCH_POLICY="$RUN/linear.json" SWITCHYARD_LOG_LEVEL=WARNING \
    "$SW" serve --config "$TOOLS/fleet.conf" --port "$SERVE_PORT" --state-dir "$RUN/state" > "$RUN/serve.log" 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$SERVE_PORT/ready" "switchyard serve"
  S="http://127.0.0.1:$SERVE_PORT/v1/chat/completions"
  wants passthrough && rate passthrough "$S" small
  wants bandit && rate bandit "$S" bench/bandit
  wants linear && rate linear "$S" bench/linear
  wants stream && rate stream "$S" streamed --stream
  ps -o rss= -p "${PIDS[-1]}" | awk '{printf "%.0f\n", $1 / 1024}' > "$OUT/serve-rss-mb.txt"
  kill "${PIDS[-1]}"
  wait "${PIDS[-1]}" 2>/dev/null || true
fi

if wants portkey; then
  if command -v npm >/dev/null; then
    PK=$OUT/portkey
    if [ ! -f "$PK/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
      mkdir -p "$PK"
      (cd "$PK" && npm install --silent --no-audit --no-fund "@portkey-ai/gateway@$PORTKEY_VERSION" > "$RUN/npm.log" 2>&1) \
        || { echo "gateway-bench: npm could not install @portkey-ai/gateway@$PORTKEY_VERSION (see $RUN/npm.log)" >&2; exit 1; }
    fi
    node "$PK/node_modules/@portkey-ai/gateway/build/start-server.js" --port=$PORTKEY_PORT --headless > "$RUN/portkey.log" 2>&1 &
    PIDS+=($!)
    wait_for "http://127.0.0.1:$PORTKEY_PORT/" "Portkey's gateway" any
    rate portkey "http://127.0.0.1:$PORTKEY_PORT/v1/chat/completions" mock --header x-portkey-provider=openai \
      --header "x-portkey-custom-host=http://127.0.0.1:$MOCK_PORT/v1" --header "authorization=Bearer sk-bench"
  else
    echo "gateway-bench: npm is not on this machine; Portkey's gateway is skipped"
  fi
fi

python3 "$TOOLS/gateway-table.py" "$OUT" > "$OUT/gateway.md"
cat "$OUT/gateway.md"
