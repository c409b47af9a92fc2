#!/usr/bin/env python3
"""The Aeron shutdown hang (issue 12), one node at a time and under load.

ROUNDS times: a 3-node cluster over Artery aeron-udp with embedded media drivers (`switchyard cluster up --profile
cluster,aeron` on its own local PostgreSQL), closed-loop chat completions to every node, then SIGTERM to one node
(node 1, 2, 3, 1, ... by round, so the leader and the oldest member, which holds the singletons, get their turns)
while the load goes on. Recorded per round: whether that node exited within BOUND seconds of its SIGTERM, how long
it took, its exit code, whether serve's bounded termination fired (its "had not terminated ... Threads still
running" line, exit code 1) and that line, the answers by status during the round, and the media driver directories
left in /dev/shm afterwards. A node still running at BOUND counts as hung: its jstack goes to OUT/round-R.jstack
before it is SIGKILLed. Then `cluster down`.

Exit codes are real: this script makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so the serve JVMs,
orphaned when the `cluster up` JVM that started them exits, become its children and it waits for them.

The results (one object per round, appended, so batches of rounds can run under the CPU lock one after another)
go to --out; node logs of each round to --logs/round-R/. docs/BENCHMARKS.md, "Aeron UDP", quotes it. From the
repository root:

  for batch in 1 2 3 4; do
    flock /tmp/cpu.lock python3 docs/benchmarks/tools/cluster/aeron-sigterm-rounds.py --rounds 5 \\
        --out docs/benchmarks/cluster/aeron-sigterm-rounds.json
  done
"""
import argparse
import ctypes
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

PR_SET_CHILD_SUBREAPER = 36
BOUND_LINE = "had not terminated"


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--out", default=os.path.join(root, "docs/benchmarks/cluster/aeron-sigterm-rounds.json"))
    p.add_argument("--logs", default=os.path.join(root, "target/bench/aeron-sigterm"))
    p.add_argument("--bound", type=float, default=60.0, help="seconds a node may take to exit after SIGTERM")
    p.add_argument("--load-before", type=float, default=10.0, help="seconds of load before the SIGTERM")
    p.add_argument("--clients", type=int, default=2, help="closed-loop chat clients per node")
    p.add_argument("--data", default=os.path.join(root, "../shared/data/zellinger-cascade9/queries.jsonl"))
    p.add_argument("--rev", default=None, help="names the code under test where the root is a copy without .git")
    args = p.parse_args()

    if ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed: errno %d" % ctypes.get_errno())
    rev = args.rev or git_rev(root)
    prompts = load_prompts(args.data)
    results = read_results(args.out)
    first = max((r["round"] for r in results["rounds"]), default=0) + 1
    os.makedirs(args.logs, exist_ok=True)
    for number in range(first, first + args.rounds):
        r = one_round(root, args, number, prompts, rev)
        results["rounds"].append(r)
        results["summary"] = summary(results["rounds"], args.bound)
        write_results(args.out, results)
        print(json.dumps(r), flush=True)
    print(json.dumps(results["summary"]), flush=True)


def one_round(root, args, number, prompts, rev):
    cluster = os.path.join(args.logs, "cluster")
    shutil.rmtree(cluster, ignore_errors=True)
    sy = os.path.join(root, "switchyard")
    up = subprocess.run([sy, "cluster", "up", "--nodes", "3", "--profile", "cluster,aeron", "--dir", cluster,
                         "--data", args.data, "--timeout", "180s"], capture_output=True, text=True)
    reap_orphans()
    if up.returncode != 0:
        subprocess.run([sy, "cluster", "down", "--dir", cluster, "--timeout", "5s"], capture_output=True)
        reap_orphans()
        sys.exit("round %d: cluster up failed (%d):\n%s%s" % (number, up.returncode, up.stdout, up.stderr[-3000:]))
    nodes = json.load(open(os.path.join(cluster, "cluster.json")))["nodes"]
    victim_index = (number - 1) % len(nodes)
    victim = nodes[victim_index]
    pids = [n["pid"] for n in nodes]
    model = pick_model(nodes[0]["url"])

    load = Load(nodes, model, prompts, args.clients)
    load.start()
    time.sleep(args.load_before)
    signalled = time.monotonic()
    load.mark("sigterm")
    os.kill(victim["pid"], signal.SIGTERM)
    status, exited_after = wait_for(victim["pid"], signalled, args.bound)
    hung = status is None
    if hung:
        subprocess.run(["jstack", str(victim["pid"])], stdout=open(os.path.join(args.logs, "round-%d.jstack" % number),
                                                                    "w"), stderr=subprocess.STDOUT)
        os.kill(victim["pid"], signal.SIGKILL)
        status, _ = wait_for(victim["pid"], time.monotonic(), 30)
    time.sleep(3)  # the survivors take the victim's shards and go on answering
    load.stop()

    down = subprocess.run([sy, "cluster", "down", "--dir", cluster, "--timeout", "60s"], capture_output=True,
                          text=True)
    for pid in pids:
        if pid != victim["pid"]:
            wait_for(pid, time.monotonic(), 90)
    reap_orphans()
    time.sleep(1)
    left = sorted(d for d in os.listdir("/dev/shm") if d.startswith("switchyard-aeron-"))
    for d in left:
        shutil.rmtree(os.path.join("/dev/shm", d), ignore_errors=True)
    kept = os.path.join(args.logs, "round-%d" % number)
    shutil.rmtree(kept, ignore_errors=True)
    os.makedirs(kept)
    bound_line = None
    victim_log = os.path.join(cluster, "node-%d.log" % (victim_index + 1))
    for name in os.listdir(cluster):
        if name.endswith(".log"):
            shutil.copy(os.path.join(cluster, name), kept)
    with open(victim_log, errors="replace") as f:
        for line in f:
            if BOUND_LINE in line:
                bound_line = line.strip()
    return {
        "round": number,
        "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "code": rev,
        "sigterm_to": victim["name"],
        "exited_within_bound": not hung,
        "seconds_to_exit": None if hung else round(exited_after, 1),
        "exit_code": None if status is None else os.waitstatus_to_exitcode(status),
        "termination_bound_fired": bound_line is not None,
        "threads_left": bound_line,
        "jstack": ("round-%d.jstack" % number) if hung else None,
        "answers_before_sigterm": load.counts("before"),
        "answers_after_sigterm": load.counts("sigterm"),
        "cluster_down_rc": down.returncode,
        "media_driver_dirs_left": left,
    }


class Load:
    """Closed-loop chat completions, `clients` per node, counted by status and by phase (before/after SIGTERM)."""

    def __init__(self, nodes, model, prompts, clients):
        self.nodes, self.model, self.prompts, self.clients = nodes, model, prompts, clients
        self.phase = "before"
        self.by_phase = {"before": {}, "sigterm": {}}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads = []

    def start(self):
        for node in self.nodes:
            for c in range(self.clients):
                t = threading.Thread(target=self.ask, args=(node, random.Random(c)), daemon=True)
                t.start()
                self.threads.append(t)

    def mark(self, phase):
        self.phase = phase

    def stop(self):
        self.stopped.set()
        for t in self.threads:
            t.join(35)

    def counts(self, phase):
        with self.lock:
            return dict(sorted(self.by_phase[phase].items()))

    def ask(self, node, rnd):
        while not self.stopped.is_set():
            phase = self.phase
            body = json.dumps({"model": self.model, "messages": [{"role": "user", "content": rnd.choice(self.prompts)}]})
            req = urllib.request.Request(node["url"] + "/v1/chat/completions", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    r.read()
                    key = str(r.status)
            except urllib.error.HTTPError as e:
                key = str(e.code)
            except Exception as e:  # refused, reset or timed out: the node is gone or going
                reason = getattr(e, "reason", e)
                key = "no answer: " + type(reason).__name__
                time.sleep(0.5)
            with self.lock:
                counts = self.by_phase[phase]
                counts[key] = counts.get(key, 0) + 1


def wait_for(pid, since, bound):
    """The wait status of child `pid` once it exits within `bound` seconds of `since`, and the seconds it took."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return status, time.monotonic() - since
        if time.monotonic() - since > bound:
            return None, None
        time.sleep(0.1)


def reap_orphans():
    """Waits for any other exited child (a PostgreSQL the cluster commands started and stopped)."""
    while True:
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if done == 0:
            return


def pick_model(url):
    with urllib.request.urlopen(url + "/v1/models", timeout=10) as r:
        ids = [m["id"] for m in json.load(r)["data"]]
    return next((i for i in ids if "bandit" in i), ids[0])


def load_prompts(path):
    prompts = []
    with open(path) as f:
        for line in f:
            prompts.append(json.loads(line)["prompt"])
            if len(prompts) == 200:
                break
    return prompts


def git_rev(root):
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "diff", "--quiet"], cwd=root).returncode != 0
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def read_results(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {"what": "SIGTERM to one node of a 3-node aeron-udp cluster under chat load, per round "
                    "(docs/benchmarks/tools/cluster/aeron-sigterm-rounds.py)", "rounds": []}


def summary(rounds, bound):
    exits = [r["seconds_to_exit"] for r in rounds if r["exited_within_bound"]]
    codes = {}
    for r in rounds:
        codes[str(r["exit_code"])] = codes.get(str(r["exit_code"]), 0) + 1
    return {
        "rounds": len(rounds),
        "bound_seconds": bound,
        "exited_within_bound": len(exits),
        "hung": len(rounds) - len(exits),
        "termination_bound_fired": sum(1 for r in rounds if r["termination_bound_fired"]),
        "seconds_to_exit_min": min(exits, default=None),
        "seconds_to_exit_max": max(exits, default=None),
        "exit_codes": codes,
        "rounds_with_media_driver_dirs_left": sum(1 for r in rounds if r["media_driver_dirs_left"]),
    }


def write_results(path, results):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
