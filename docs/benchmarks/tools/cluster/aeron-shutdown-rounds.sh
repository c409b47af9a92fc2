#!/usr/bin/env bash
# The Aeron shutdown hang (issue 12): ROUNDS times, a NODES-node cluster over Artery aeron-udp with embedded media
# drivers (`switchyard cluster up --profile cluster,aeron` on its own local PostgreSQL), every node sent SIGTERM at
# once (as `cluster down` or an orchestrator does), and each node's exit timed. A node still running BOUND seconds
# after its SIGTERM counts as hung: its jstack goes to OUT/hung-round-R-node-K.jstack, then it is SIGKILLed.
# Also counted per round: media driver directories left in /dev/shm (switchyard-aeron-*) after the exits.
# One line per node to OUT/aeron-shutdown-rounds.csv, a summary line per round and in all to
# OUT/aeron-shutdown-rounds.txt; node logs in OUT/round-R/ (the last round's in OUT/cluster/). docs/BENCHMARKS.md, "Aeron UDP",
# quotes it.
# MODE=freeze (default term): before that, node NODES is frozen with SIGSTOP for FROZEN (20) seconds and woken with
# SIGCONT, so that the others' split brain resolver downs it and it must exit by itself (exit-jvm, the path that
# waits for the actor system to terminate); its exit is timed from SIGCONT with the same BOUND (hung: jstack as
# above), then the others get SIGTERM.
# Run from the repository root (under the CPU lock):
#   flock /tmp/cpu.lock bash docs/benchmarks/tools/cluster/aeron-shutdown-rounds.sh [ROUNDS] [NODES] [OUT_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
ROUNDS=${1:-20}
NODES=${2:-3}
OUT=$(mkdir -p "${3:-$ROOT/target/bench/aeron-shutdown}" && cd "${3:-$ROOT/target/bench/aeron-shutdown}" && pwd)
BOUND=${BOUND:-60}
MODE=${MODE:-term}
FROZEN=${FROZEN:-20}
DATA=${DATA:-$ROOT/../shared/data/zellinger-cascade9/queries.jsonl}
CLUSTER="$OUT/cluster"
SY="$ROOT/switchyard"
cd "$ROOT"
echo "round,node,pid,exited,seconds_after_sigterm" > "$OUT/aeron-shutdown-rounds.csv"
# REV names the code under test where ROOT is a copy without .git.
REV=${REV:-$(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')}
echo "# $(date -u +%FT%TZ) $REV: $ROUNDS rounds of $NODES aeron-udp nodes, mode $MODE, bound ${BOUND}s" \
  > "$OUT/aeron-shutdown-rounds.txt"
clean=0
for round in $(seq 1 "$ROUNDS"); do
  if (( round > 1 )); then # each round's node logs kept in OUT/round-R/
    mkdir -p "$OUT/round-$((round - 1))" && mv "$CLUSTER"/node-*.log "$OUT/round-$((round - 1))/"
  fi
  if ! "$SY" cluster up --nodes "$NODES" --profile cluster,aeron --dir "$CLUSTER" --data "$DATA" --timeout 180s \
      > "$OUT/up.out" 2>&1; then
    echo "round $round: cluster up failed:" | tee -a "$OUT/aeron-shutdown-rounds.txt"
    tail -25 "$OUT/up.out" | tee -a "$OUT/aeron-shutdown-rounds.txt"
    "$SY" cluster down --dir "$CLUSTER" --timeout 5s > /dev/null 2>&1 || true
    exit 1
  fi
  mapfile -t pids < <(python3 -c 'import json,sys; [print(n["pid"]) for n in json.load(open(sys.argv[1]))["nodes"]]' \
    "$CLUSTER/cluster.json")
  downed=""
  if [[ "$MODE" == freeze ]]; then
    victim=${pids[-1]}
    kill -STOP "$victim"
    sleep "$FROZEN"
    kill -CONT "$victim"
    woken=$(date +%s.%N)
    while kill -0 "$victim" 2>/dev/null; do
      python3 -c "import sys,time; sys.exit(0 if time.time() - float(sys.argv[1]) < float(sys.argv[2]) else 1)" \
        "$woken" "$BOUND" || break
      sleep 0.2
    done
    if kill -0 "$victim" 2>/dev/null; then
      jstack "$victim" > "$OUT/hung-round-$round-node-$NODES.jstack" 2>&1 || true
      cp "$CLUSTER/node-$NODES.log" "$OUT/hung-round-$round-node-$NODES.log"
      kill -KILL "$victim" || true
      echo "$round,$NODES,$victim,no,>$BOUND after SIGCONT" >> "$OUT/aeron-shutdown-rounds.csv"
      downed=" node-$NODES (frozen ${FROZEN}s, downed) HUNG after SIGCONT (jstack: hung-round-$round-node-$NODES.jstack);"
    else
      secs=$(python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$woken")
      echo "$round,$NODES,$victim,yes,$secs after SIGCONT" >> "$OUT/aeron-shutdown-rounds.csv"
      downed=" node-$NODES (frozen ${FROZEN}s, downed) exited ${secs}s after SIGCONT;"
      exited_downed=1
    fi
    pids=("${pids[@]:0:$((NODES - 1))}")
  fi
  start=$(date +%s.%N)
  for pid in "${pids[@]}"; do kill -TERM "$pid" || true; done
  declare -A ended=()
  while :; do
    now=$(date +%s.%N)
    left=0
    for pid in "${pids[@]}"; do
      if [[ -z "${ended[$pid]:-}" ]]; then
        if kill -0 "$pid" 2>/dev/null; then left=$((left + 1)); else ended[$pid]=$now; fi
      fi
    done
    (( left == 0 )) && break
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) - float(sys.argv[2]) < float(sys.argv[3]) else 1)" \
      "$now" "$start" "$BOUND" || break
    sleep 0.2
  done
  exited=0
  line="round $round:$downed"
  for k in "${!pids[@]}"; do
    pid=${pids[$k]}
    node=$((k + 1))
    if [[ -n "${ended[$pid]:-}" ]]; then
      secs=$(python3 -c "print(f'{float(\"${ended[$pid]}\") - float(\"$start\"):.1f}')")
      echo "$round,$node,$pid,yes,$secs" >> "$OUT/aeron-shutdown-rounds.csv"
      line="$line node-$node ${secs}s"
      exited=$((exited + 1))
    else
      jstack "$pid" > "$OUT/hung-round-$round-node-$node.jstack" 2>&1 || true
      cp "$CLUSTER/node-$node.log" "$OUT/hung-round-$round-node-$node.log"
      kill -KILL "$pid" || true
      echo "$round,$node,$pid,no,>$BOUND" >> "$OUT/aeron-shutdown-rounds.csv"
      line="$line node-$node HUNG (jstack: hung-round-$round-node-$node.jstack)"
    fi
  done
  unset ended
  sleep 1
  leftover=$(find /dev/shm -maxdepth 1 -name 'switchyard-aeron-*' | wc -l)
  [[ "$MODE" == freeze && -n "${exited_downed:-}" ]] && exited=$((exited + 1))
  unset exited_downed
  (( exited == NODES )) && clean=$((clean + 1))
  echo "$line; $exited of $NODES exited within ${BOUND}s; media driver dirs left in /dev/shm: $leftover" \
    | tee -a "$OUT/aeron-shutdown-rounds.txt"
  find /dev/shm -maxdepth 1 -name 'switchyard-aeron-*' -exec rm -rf {} +
done
"$SY" cluster down --dir "$CLUSTER" --timeout 5s > /dev/null
echo "$clean of $ROUNDS rounds: every node exited within ${BOUND}s (of SIGTERM; the downed one of SIGCONT)" | tee -a "$OUT/aeron-shutdown-rounds.txt"
