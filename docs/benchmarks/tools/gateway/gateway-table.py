"""Renders the gateway benchmark's JSON results (one file per target, from `switchyard bench rate`) as Markdown:
one table per offered rate in TensorZero's format (latency percentiles, and each gateway's overhead over the
direct path at the same rate), then achieved rates and errors. Usage: gateway-table.py RESULTS_DIR"""
import json
import pathlib
import sys

ORDER = ["direct", "passthrough", "bandit", "linear", "stream", "portkey"]
PCTS = ["p50", "p90", "p99", "p99.9"]

out_dir = pathlib.Path(sys.argv[1])
results = {}
for name in ORDER:
    f = out_dir / (name + ".json")
    if f.exists():
        results[name] = {r["offered_rps"]: r for r in json.loads(f.read_text())["rates"]}
if not results:
    sys.exit("gateway-table: no results in " + str(out_dir))

def ms(v):
    return "-" if v is None else "%.2f" % v

rates = sorted({rate for by_rate in results.values() for rate in by_rate})
print("Open loop, latency from the intended send time (coordinated omission corrected), HdrHistogram.")
print()
for rate in rates:
    here = [n for n in results if rate in results[n]]
    direct = results.get("direct", {}).get(rate)
    print("#### %d req/s offered" % rate)
    print()
    print("| latency (ms) | " + " | ".join(here) + " |")
    print("|---|" + "---:|" * len(here))
    for p in PCTS:
        cells = []
        for n in here:
            v = results[n][rate]["latency_ms"].get(p)
            cell = ms(v)
            if direct and n != "direct" and v is not None and direct["latency_ms"].get(p) is not None:
                cell += " (+%.2f)" % (v - direct["latency_ms"][p])
            cells.append(cell)
        print("| %s | %s |" % (p, " | ".join(cells)))
    print("| achieved req/s | " + " | ".join("%.0f" % results[n][rate]["achieved_rps"] for n in here) + " |")
    print("| errors | " + " | ".join(
        str(results[n][rate]["errors"]) + ("" if not results[n][rate]["error_kinds"] else
                                           " " + json.dumps(results[n][rate]["error_kinds"])) for n in here) + " |")
    print()
print("(+x): overhead over direct at the same rate and percentile.")
