#!/bin/bash
# after (connection-pools = 4) then before (b29b213 + build fix), same command, back to back
for v in after before; do
  if [ $v = after ] && [ "$(date -u +%H%M)" -gt 2314 ]; then echo "== after skipped (late)"; continue; fi
  if [ $v = before ] && [ "$(date -u +%H%M)" -gt 2308 ]; then echo "== before skipped (late)"; continue; fi
  cd /tmp/hotpath-$v/sw
  echo "== $v $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  TARGETS="passthrough bandit" RATES=2000,4000 DATA=/work/shared/data/zellinger-cascade9/queries.jsonl \
    bash docs/benchmarks/tools/gateway/gateway-bench.sh /tmp/hotpath-$v/out2 2>&1 | grep -E "offered:|^=="
done
echo "== done $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
