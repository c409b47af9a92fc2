"""The report of hops.sh: one-connection latencies by layer, and the CPU samples of a JFR recording under load
filed under the hop of a gateway call they belong to.

Usage: hops.py ONE_CONNECTION_JSONL SAMPLES_TXT GC_TXT REQUESTS SECONDS OUT_JSON  (Markdown on stdout)
SAMPLES_TXT is `jfr print --events jdk.ExecutionSample`, GC_TXT `jfr print --events jdk.GarbageCollection`.

A sample is filed under the first hop, in the order of HOPS, whose pattern one of its frames matches: the
specific hops (the routing decision inside the query actor, JSON inside the routes) come before the general
ones, so a frame of the engine's own code decides before the Pekko plumbing that called it."""
import json
import re
import sys

HOPS = [
    ("routing decision (strategy)", r"^dev\.switchyard\.strategies\."),
    ("episode to the learner", r"^dev\.switchyard\.actors\.learn\."),
    ("upstream HTTP client (request, connection pool, response)",
     r"^org\.apache\.pekko\.http\.impl\.engine\.client\.|^dev\.switchyard\.ops\.http\.OpenAi(CompatibleBackend|StreamedAnswer)"),
    ("model worker", r"^dev\.switchyard\.actors\.pool\.Worker"),
    ("pool admission", r"^dev\.switchyard\.actors\.pool\."),
    ("entity start and stop", r"Shard\.(getOrCreateEntity|startEntity|passivat|entityTerminated)|FaultHandling\.finishTerminate|ActorCell\.create|Behaviors\$?\.setup|DeferredBehavior"),
    ("sharding (routing messages to entities)", r"^org\.apache\.pekko\.cluster\.sharding\."),
    ("query actor (plan, record, reply)", r"^dev\.switchyard\.actors\.query\.|^dev\.switchyard\.actors\.ClusterEngine"),
    ("metrics", r"^dev\.switchyard\.actors\.metrics\.|^io\.micrometer\."),
    ("request JSON (parse) and response JSON (render)", r"^com\.fasterxml\.jackson\.|^dev\.switchyard\.ops\.http\.(ChatCompletionRequest|OpenAiJson)"),
    ("HTTP request parsing (server)", r"^org\.apache\.pekko\.http\.impl\.engine\.parsing\."),
    ("HTTP response rendering (server)", r"^org\.apache\.pekko\.http\.impl\.engine\.rendering\."),
    ("routes (directives, handlers)", r"^dev\.switchyard\.ops\.http\.|^org\.apache\.pekko\.http\.(scaladsl|javadsl)\.server\."),
    ("TCP I/O", r"^org\.apache\.pekko\.(io|stream\.impl\.io)\.|^sun\.nio\.|^java\.nio\."),
    ("stream plumbing (HTTP connections' stages)", r"^org\.apache\.pekko\.(stream|http)\."),
    ("actor plumbing (mailboxes, asks, timers, scheduler)", r"^org\.apache\.pekko\.|^scala\."),
]
OTHER = "other (JDK, idle loops)"
COMPILED = [(name, re.compile(p)) for name, p in HOPS]


def samples(path):
    """Yields (thread, frames leaf first) for every sample in `jfr print` text."""
    thread, frames, in_stack = None, [], False
    for line in open(path, encoding="utf-8"):
        s = line.strip()
        if s.startswith("sampledThread"):
            thread = s.split('"')[1] if '"' in s else s
        elif s.startswith("stackTrace = ["):
            frames, in_stack = [], True
        elif in_stack and s == "]":
            in_stack = False
            yield thread, frames
        elif in_stack and s and s != "...":
            frames.append(s)


def hop(frames):
    for name, pattern in COMPILED:
        if any(pattern.search(f) for f in frames):
            return name
    return OTHER


def gc_seconds(path):
    total = 0.0
    for line in open(path, encoding="utf-8"):
        m = re.match(r"\s*sumOfPauses = ([\d.]+) (ms|s|us)", line)
        if m:
            total += float(m.group(1)) * {"ms": 1e-3, "s": 1.0, "us": 1e-6}[m.group(2)]
    return total


one = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
requests, seconds = int(sys.argv[4]), float(sys.argv[5])
counts, engine_samples, other_threads = {}, 0, 0
for thread, frames in samples(sys.argv[2]):
    if thread.startswith("JFR"):
        other_threads += 1  # the recorder's own
        continue
    engine_samples += 1
    name = hop(frames)
    counts[name] = counts.get(name, 0) + 1
gc = gc_seconds(sys.argv[3])

by = {r["label"]: r for r in one}
layers = []
if "direct" in by and "health" in by:
    layers.append(("the HTTP server, route tree and a JSON reply (GET /health minus direct)",
                   by["health"]["p50_ms"] - by["direct"]["p50_ms"]))
if "health" in by and "passthrough" in by:
    layers.append(("the engine and the upstream client (passthrough minus /health)",
                   by["passthrough"]["p50_ms"] - by["health"]["p50_ms"]))
if "passthrough" in by and "bandit" in by:
    layers.append(("a bandit pipeline's decision and learning (bandit minus passthrough)",
                   by["bandit"]["p50_ms"] - by["passthrough"]["p50_ms"]))

report = {
    "one_connection": one,
    "one_connection_layers_ms_p50": [{"layer": l, "ms": round(v, 3)} for l, v in layers],
    "profile": {"requests": requests, "seconds": seconds, "engine_thread_samples": engine_samples,
                "other_thread_samples": other_threads, "gc_pause_seconds": round(gc, 3),
                "hops": [{"hop": n, "samples": c, "share": round(c / engine_samples, 4)}
                         for n, c in sorted(counts.items(), key=lambda kv: -kv[1])]},
}
json.dump(report, open(sys.argv[6], "w"), indent=2)

print("#### One connection, one request at a time (hey -c 1), ms\n")
print("| target | p50 | p99 | req/s | status codes |\n|---|---:|---:|---:|---|")
for r in one:
    print(f"| {r['label']} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['rps']:.0f} | {r['codes'].strip()} |")
print("\n| layer (difference of p50s) | ms |\n|---|---:|")
for l, v in layers:
    print(f"| {l} | {v:.2f} |")
print(f"\n#### CPU samples of the node's threads under load ({requests} calls in {seconds:.0f} s, "
      f"JFR settings=profile; GC pauses {gc:.2f} s in all, not in the samples)\n")
print("| hop | share of samples |\n|---|---:|")
for h in report["profile"]["hops"]:
    print(f"| {h['hop']} | {100 * h['share']:.1f}% |")
print(f"\n{engine_samples} samples of the node's threads; {other_threads} of the recorder's own left out.")
