#!/usr/bin/env bash
# NodeKillIT (a 3-node cluster on PostgreSQL, SIGKILL of one node under durable job load, then SIGSTOP of one for
# 20 s) RUNS times in a row; each run's summary lines (T2-1: ..., T2-3: ...) go to OUT/node-kill-runs.txt and one
# row per run and scenario to OUT/node-kill-runs.csv (csv files written before T2-3 existed have no scenario column)
# (the full Maven logs to target/bench/node-kill/):
# whether it passed, entities resumed, when the last one resumed and when every accepted job was terminal (seconds
# after the kill), jobs lost, billing problems. docs/BENCHMARKS.md, "A cluster", quotes it.
# Run from the repository root: bash docs/benchmarks/tools/cluster/node-kill-repeat.sh [RUNS] [OUT_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
RUNS=${1:-5}
OUT=$(mkdir -p "${2:-$ROOT/target/bench/node-kill}" && cd "${2:-$ROOT/target/bench/node-kill}" && pwd)
LOGS="$ROOT/target/bench/node-kill"
mkdir -p "$LOGS"
cd "$ROOT"
: > "$OUT/node-kill-runs.txt"
echo "run,scenario,passed,resumed_entities,last_resume_s,all_terminal_s,lost,billing_problems" > "$OUT/node-kill-runs.csv"
for run in $(seq 1 "$RUNS"); do
  log="$LOGS/node-kill-run-$run.log"
  if mvn -B -o verify -pl ops -am -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NodeKillIT \
      > "$log" 2>&1; then passed=yes; else passed=no; fi
  { echo "== run $run (passed: $passed)"; grep -E '^T2-[13]: ' "$log" || true; } >> "$OUT/node-kill-runs.txt"
  python3 - "$log" "$run" "$passed" >> "$OUT/node-kill-runs.csv" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
for scenario in ("T2-1", "T2-3"):  # NodeKillIT's two disruptions: SIGKILL, SIGSTOP for 20 s
    text = "\n".join(l for l in lines if l.startswith(scenario + ": "))
    def num(pattern):
        m = re.search(pattern, text)
        return m.group(1) if m else ""
    print(",".join([sys.argv[2], scenario, sys.argv[3], num(r"(\d+) of them written by more than one incarnation"),
                    num(r"the last resumed ([\d.]+) s after the (?:kill|disruption)"), num(r"all accepted jobs terminal ([\d.]+) s"),
                    num(r"lost (\d+);"), num(r"billing problems (\d+)")]))
PY
  tail -2 "$OUT/node-kill-runs.csv"
done
