"""Load and soak on loopback: throughput, isolation of heavy work, a mixed lecture-hall
workload, the event loop under what used to stall it, two workers, and a lecture hall
pressing Run. Every figure is measured side by side in this one run.

    python benchmarks/load.py                 # about 3 minutes
    python benchmarks/load.py --quick         # about a minute, for a smoke run
    python benchmarks/load.py --event-loop    # the event loop part alone
    python benchmarks/load.py --event-loop --tree ../other-checkout   # ... of another tree
    python benchmarks/load.py --lecture-hall  # the lecture hall pressing Run, alone

Needs wrk (Debian's package) for the throughput part and node for the lecture hall (its
students run the page's own pacer, benchmarks/lecture_hall.mjs); the rest uses httpx.
Everything is bounded in count and time and talks only to servers it starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine.data import dataset, preset  # noqa: E402
from tests.live import running_server, serving  # noqa: E402

MAZUR = preset("mazur")
STEP_BODY = json.dumps({k: MAZUR[k] for k in ("network", "inputs", "targets", "learning_rate")})
JSON_HEADERS = {"content-type": "application/json"}
DEEP = preset("deep")["network"]
X, Y = dataset("spiral", 500, labels="signed")
# a train job of the deep network of about a second (estimated 1.4 s, within max_cost)
HEAVY_TRAIN = {
    "network": DEEP, "inputs": X.tolist(), "targets": Y.tolist(), "learning_rate": 0.01,
    "epochs": 4000, "record_every": 1000,
}  # fmt: skip


def wrk(url: str, seconds: float, body: str | None = None, connections: int = 16) -> dict:
    """Requests per second and latency percentiles from one wrk run (keep-alive)."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
            script.write(f"wrk.body = {json.dumps(body)}\n")
    try:
        if body is not None:
            args[1:1] = ["-s", script.name]
        text = subprocess.run(
            args, capture_output=True, text=True, check=True, timeout=seconds + 30
        ).stdout
    finally:
        os.unlink(script.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50_ms": _wrk_ms(re.search(r"50%\s+([\d.]+\w+)", text).group(1)),
        "p99_ms": _wrk_ms(re.search(r"99%\s+([\d.]+\w+)", text).group(1)),
        "max_ms": _wrk_ms(re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+\w+)", text).group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(map(int, errors.groups())) if errors else 0),
    }


def _wrk_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def throughput(url: str, rounds: int, seconds: float) -> dict:
    """healthz and step alternately, `rounds` times each; medians and the ratio."""
    runs = {"healthz": [], "step": []}
    for _ in range(rounds):
        runs["healthz"].append(wrk(f"{url}/healthz", seconds))
        runs["step"].append(wrk(f"{url}/api/v1/step", seconds, STEP_BODY))
    result = {
        name: {key: statistics.median(r[key] for r in rs) for key in ("rps", "p50_ms", "p99_ms")}
        | {"errors": sum(r["errors"] for r in rs)}
        for name, rs in runs.items()
    }  # fmt: skip
    result["ratio"] = result["step"]["rps"] / result["healthz"]["rps"]
    return result


def isolation(url: str, seconds: float, heavy_clients: int = 4) -> dict:
    """Steps on one keep-alive client while `heavy_clients` keep sending the largest train job."""
    stop = threading.Event()
    heavy = {"200": 0, "503": 0, "other": 0, "timeouts": 0}
    lock = threading.Lock()

    def hammer(seed):
        rng = random.Random(seed)
        with httpx.Client(timeout=120) as client:
            while not stop.is_set():
                # a new learning rate each time, so no answer comes from the cache
                body = HEAVY_TRAIN | {"learning_rate": rng.uniform(0.001, 0.01)}
                try:
                    r = client.post(f"{url}/api/v1/train", json=body)
                    key = str(r.status_code) if r.status_code in (200, 503) else "other"
                    if r.status_code == 503:
                        time.sleep(min(float(r.headers.get("retry-after", "1")), 1.0))
                except httpx.TimeoutException:
                    key = "timeouts"
                with lock:
                    heavy[key] += 1

    threads = [
        threading.Thread(target=hammer, args=(i,), daemon=True) for i in range(heavy_clients)
    ]
    for t in threads:
        t.start()
    time.sleep(2.0)  # let the heavy jobs fill the pool
    latencies, statuses = [], Counter()
    with httpx.Client(timeout=10) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            start = time.perf_counter()
            statuses[answer(client, "POST", f"{url}/api/v1/step", STEP_BODY)] += 1
            latencies.append((time.perf_counter() - start) * 1e3)
            time.sleep(0.005)  # a person pressing Step, many times a second
    stop.set()
    for t in threads:
        t.join(timeout=150)
    latencies.sort()
    return {
        "steps": len(latencies), "statuses": dict(statuses),
        "p50_ms": latencies[len(latencies) // 2], "p99_ms": latencies[int(len(latencies) * 0.99)],
        "max_ms": latencies[-1], "heavy": heavy,
    }  # fmt: skip


def page_step(preset_name: str, step_index: int, user: int) -> list[tuple[str, str]]:
    """The requests the page sends for one Step on a preset: the step through one batch,
    then the losses over the whole set and, for 2-input data sets, the output and neuron
    grids. Each user's network differs a little, so that no answer comes from the cache."""
    p = preset(preset_name)
    network = p["network"] | {
        "weights": [[[w * (1 + 1e-6 * user) for w in row] for row in m] for m in p["network"]["weights"]]
    }  # fmt: skip
    batch = p["batch_size"] or len(p["inputs"])
    start = step_index * batch % len(p["inputs"])
    step = {"network": network, "learning_rate": p["learning_rate"]} | {
        k: p[k][start : start + batch] for k in ("inputs", "targets")
    }
    requests = [("step", json.dumps(step))]
    requests.append(("forward", json.dumps(
        {"network": network, "inputs": p["inputs"], "targets": p["targets"], "trace": False}
    )))  # fmt: skip
    if len(p["inputs"][0]) == 2 and len(p["inputs"]) >= 4:  # as charts.js draws them
        plane = {"network": network, "x_range": [-5, 5], "y_range": [-5, 5]}
        requests.append(("predict", json.dumps(plane | {"resolution": 40, "hidden": False})))
        requests.append(("predict", json.dumps(plane | {"resolution": 20, "hidden": True})))
    return requests


def mixed(url: str, seconds: float, users: int = 12) -> dict:
    """A lecture hall: each user loads the page and its assets, then steps as the page does
    (on the Mazur example and on the deep spiral, each step with the requests that follow
    it) and trains. Every user's requests differ from the others': all are computed."""
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', httpx.get(url).text)
    kinds = ("page", "step", "forward", "predict", "train")
    stats = {kind: [] for kind in kinds}
    statuses = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def requests(variant: int) -> list:
        pages = [("page", "GET", "/", None)] + [("page", "GET", a, None) for a in assets]
        steps = [
            (kind, "POST", f"/api/v1/{kind}", body)
            for i in range(4)
            for kind, body in page_step("mazur", i, variant) + page_step("deep", i, variant)
        ]
        train = {k: MAZUR[k] for k in ("network", "inputs", "targets")} | {
            "learning_rate": MAZUR["learning_rate"] * (1 + 1e-6 * variant), "epochs": 1000,
            "record_every": 100,
        }  # fmt: skip
        return pages + steps + [("train", "POST", "/api/v1/train", json.dumps(train))]

    def user(number: int):
        with httpx.Client(timeout=30, base_url=url) as client:
            for round_ in itertools.count():
                if time.monotonic() >= deadline:
                    break
                for kind, method, path, body in requests(number * 1000 + round_):
                    start = time.perf_counter()
                    status = answer(client, method, path, body)
                    with lock:
                        stats[kind].append((time.perf_counter() - start) * 1e3)
                        statuses[status] += 1

    threads = [threading.Thread(target=user, args=(number,)) for number in range(users)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - begin
    out = {"rps": sum(map(len, stats.values())) / elapsed, "statuses": dict(statuses)}
    for kind, values in stats.items():
        values.sort()
        out[kind] = {
            "count": len(values),
            "p50_ms": values[len(values) // 2],
            "p99_ms": values[int(len(values) * 0.99)],
        }
    return out


def answer(client: httpx.Client, method: str, url: str, body: str | None) -> str:
    """The status of one request as text ("200", "503"), or "timeout" / "failed" without one.
    A 503 is the designed answer of a full heavy queue; a 4xx or any other 5xx is a bug."""
    try:
        headers = {"content-type": "application/json"}
        return str(client.request(method, url, content=body, headers=headers).status_code)
    except httpx.TimeoutException:
        return "timeout"
    except httpx.HTTPError:
        return "failed"


def event_loop(url: str, seconds: float, senders: int = 2, probe=None) -> dict:
    """/healthz latency, one request at a time on a keep-alive connection (wrk, a process of
    its own), while `senders` clients each keep sending what once ran on the event loop: a
    2 MiB body, a dataset of 10,000 samples nobody asked for before, training whose code must
    be compiled, an embed state that inflates to megabytes.
    probe: (server pid, stats file) of a server started by loop_probe.py, whose longest
    callbacks of each phase are added, in CPU ms of the loop's thread.
    {load: {p50_ms, p99_ms, max_ms, count, answers, loop}}."""
    rng = random.Random(0)
    wide = {"layer_sizes": [20, 8, 1], "activations": ["tanh", "sigmoid"]}
    rows = [[round(rng.uniform(-1, 1), 15) for _ in range(20)] for _ in range(5250)]
    big = {"network": wide, "inputs": rows, "targets": [[0.5]] * len(rows), "trace": False}
    bomb = _state_code(b"[" + b"0," * (2 * 1024 * 1024 - 2) + b"0]")  # just under 4 MiB of JSON

    bodies = [json.dumps(big | {"targets": [[t / 10]] * len(rows)}) for t in range(1, 10)]

    def body_2mib(client, i):
        return client.post("/api/v1/forward", content=bodies[i % 9], headers=JSON_HEADERS)

    def dataset_10000(client, i):
        return client.get("/api/v1/datasets/spiral", params={"n": 10000, "seed": i})

    def compiled_training(client, i):
        h = 3 + i % 6
        net = {"layer_sizes": [2, h, h, 1], "activations": ["tanh", "tanh", "sigmoid"]}
        body = {"network": net, "inputs": X[:40].tolist(), "targets": Y[:40].tolist(),
                "learning_rate": 0.01 + i * 1e-9, "steps": 4000, "batch_size": 1 + i % 4,
                "record_every": 1000}  # fmt: skip
        return client.post("/api/v1/train", content=json.dumps(body), headers=JSON_HEADERS)

    def embed_bomb(client, i):
        return client.get("/embed", params={"state": bomb, "id": f"x{i}"})

    loads = {
        "nothing": [],
        "2 MiB bodies": [body_2mib],
        "uncached datasets of 10,000": [dataset_10000],
        "training to compile": [compiled_training],
        "embed states of 4 MiB": [embed_bomb],
        "all of these at once": [body_2mib, dataset_10000, compiled_training, embed_bomb],
    }
    assert all(1.9 * 2**20 < len(body) < 2 * 2**20 for body in bodies)
    out = {}
    for name, kinds in loads.items():
        stop = threading.Event()
        answers: dict[int, int] = {}

        def send(kind, seed, stop=stop, answers=answers):
            # the senders stand for other machines: on these 2 cores they must not take the
            # server's CPU time (nice is per thread on Linux; the wrk probe keeps its own)
            os.nice(10)
            with httpx.Client(base_url=url, timeout=60) as client:
                for i in itertools.count(seed * 100_000):
                    if stop.is_set():
                        return
                    try:
                        status = kind(client, i).status_code
                    except httpx.HTTPError:
                        status = "error"
                    answers[status] = answers.get(status, 0) + 1

        threads = [
            threading.Thread(target=send, args=(kind, n), daemon=True)
            for kind in kinds for n in range(senders)
        ]  # fmt: skip
        if probe:
            os.kill(probe[0], signal.SIGUSR1)  # count this phase's callbacks alone
        for t in threads:
            t.start()
        latency = wrk(f"{url}/healthz", seconds, connections=1)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        out[name] = latency | {"answers": dict(sorted(answers.items(), key=str))}
        if probe:
            out[name]["loop"] = _probe_stats(*probe)
    return out


def _probe_stats(pid: int, path: str) -> dict:
    """What loop_probe.py counted: written when it gets SIGUSR2."""
    if os.path.exists(path):
        os.unlink(path)
    os.kill(pid, signal.SIGUSR2)
    deadline = time.monotonic() + 30
    while not os.path.exists(path) or not os.path.getsize(path):
        if time.monotonic() > deadline:
            raise RuntimeError("the loop probe wrote no statistics")
        time.sleep(0.05)
    time.sleep(0.05)  # written whole: one json.dump of a small object
    with open(path) as f:
        return json.load(f)


def _state_code(raw: bytes) -> str:
    import base64
    import zlib

    pack = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return "1." + base64.urlsafe_b64encode(pack.compress(raw) + pack.flush()).decode().rstrip("=")


def report_event_loop(result: dict) -> None:
    print("\nthe event loop: GET /healthz one at a time (wrk, 1 connection) while 2 clients")
    print("of each kind send; and the longest the loop ran one callback, in CPU time of its")
    print("thread (what other processes on the machine do not lengthen)")
    for name, r in result.items():
        print(f"  {name:30s} {r['rps']:6.0f} req/s  p50 {r['p50_ms']:6.2f} ms  p99 "
              f"{r['p99_ms']:6.2f} ms (target < 20)  max {r['max_ms']:7.1f} ms  "
              f"their answers {r['answers']}")  # fmt: skip
        if "loop" in r:
            loop = r["loop"]
            cpu, wall, what = loop["longest"][0] if loop["longest"] else (0, 0, "")
            print(f"  {'':30s} loop: {loop['callbacks']:,} callbacks, {loop['over_5_ms']} over"
                  f" 5 ms of CPU; the longest {cpu:.1f} ms ({wall:.1f} ms wall): {what}")  # fmt: skip


def spread(url: str, n: int = 40) -> dict:
    """New connections to a multi-worker server: which worker processes answered."""
    pids = [httpx.get(f"{url}/healthz").headers["x-backprop-worker"] for _ in range(n)]
    return {pid: pids.count(pid) for pid in sorted(set(pids))}


def report(t: dict) -> None:
    for name in ("healthz", "step"):
        r = t[name]
        print(
            f"  {name:8s} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms   errors {r['errors']}"
        )
    print(f"  throughput ratio step/healthz: {t['ratio']:.2f}  (target >= 0.75)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    parser.add_argument("--event-loop", action="store_true", help="the event loop part alone")
    parser.add_argument("--tree", type=Path, default=ROOT, help="serve this checkout's app/")
    parser.add_argument("--lecture-hall", action="store_true", help="the lecture hall part alone")
    args = parser.parse_args(argv)
    rounds, seconds = (1, 3) if args.quick else (3, 6)
    print(f"machine: {os.cpu_count()} cores, {_cpu()}; load average {os.getloadavg()[0]:.1f}")
    hall_seconds = 5 if args.quick else 15
    if args.lecture_hall:
        for workers in (1, 2):
            with running_server(workers=workers) as url:
                report_hall(lecture_hall(url, hall_seconds), workers)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    if args.event_loop:
        stats = os.path.join(tempfile.mkdtemp(prefix="loop-probe-"), "stats.json")
        env = {"LOOP_PROBE_STATS": stats}
        with serving(root=args.tree, launcher="loop-probe", env=env) as (url, server):
            report_event_loop(event_loop(url, 3 if args.quick else 10, probe=(server.pid, stats)))
        return

    with running_server(env={"BACKPROP_VIZ_RESPONSE_CACHE_ENTRIES": "0"}) as url:
        computed = throughput(url, rounds, seconds)
    with running_server() as url:
        t = throughput(url, rounds, seconds)
        print(
            "\n1 worker, keep-alive, 16 connections (wrk), medians of", rounds, "interleaved runs"
        )
        print("the same Mazur step from every client, as a lecture hall sends it:")
        report(t)
        print("the same with the answer cache off, so that every step is computed:")
        report(computed)

        iso = isolation(url, 5 if args.quick else 15)
        print("\nisolation: 4 clients looping the largest train job; one person stepping")
        print(f"  steps {iso['steps']}, statuses {iso['statuses']}: p50 {iso['p50_ms']:.1f} ms, "
              f"p99 {iso['p99_ms']:.1f} ms (target < 100), max {iso['max_ms']:.1f} ms")  # fmt: skip
        print(f"  heavy train requests: {iso['heavy']}")

        mix = mixed(url, 5 if args.quick else 15)
        print("\nmixed: 12 users loading the page and its assets, stepping as the page does")
        print("(Mazur and the deep spiral: each step with its losses and grids), training")
        print(f"  {mix['rps']:.0f} req/s, statuses {mix['statuses']}")
        for kind in ("page", "step", "forward", "predict", "train"):
            m = mix[kind]
            print(
                f"  {kind:8s} {m['count']:6d} requests   p50 {m['p50_ms']:6.1f} ms   p99 {m['p99_ms']:6.1f} ms"
            )

        report_event_loop(event_loop(url, 3 if args.quick else 10))

    with running_server(workers=2) as url:
        answered = spread(url)
        t2 = wrk(f"{url}/api/v1/step", seconds, STEP_BODY)
        print("\n2 workers")
        print(f"  new connections answered per worker: {list(answered.values())}")
        print(
            f"  step {t2['rps']:.0f} req/s (1 worker: {t['step']['rps']:.0f}), errors {t2['errors']}"
        )
        report_hall(lecture_hall(url, hall_seconds), 2)


HALL_TARGET = 10  # redraws a second that each student keeps (issue 15)


def lecture_hall(url: str, seconds: float, students: int = 30, name: str = "spiral") -> dict:
    """`students` pressing Run at once on a preset against the server at url, each the page's
    pacer at speed 1 (benchmarks/lecture_hall.mjs): their redraws and steps a second."""
    out = subprocess.run(
        ["node", str(ROOT / "benchmarks" / "lecture_hall.mjs"), url, str(seconds), str(students), name],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    hall = json.loads(out.stdout)
    results = hall["results"]
    redraws = sorted(r["redraws"] for r in results)
    statuses = Counter()
    for r in results:
        statuses.update(r["statuses"])
    return {
        "students": students, "preset": name, "rate": hall["rate"], "batch": hall["batch"],
        "redraws": redraws, "steps": sorted(r["steps"] for r in results),
        "statuses": dict(statuses),
    }  # fmt: skip


def report_hall(h: dict, workers: int) -> None:
    redraws, steps = h["redraws"], h["steps"]
    errors = sum(n for status, n in h["statuses"].items() if status != "200")
    print(f"\nlecture hall: {h['students']} students press Run on {h['preset']} at once "
          f"(1x: {h['rate']} steps/s each), {workers} worker{'s' if workers > 1 else ''}")  # fmt: skip
    print(f"  redraws/s per student: min {redraws[0]:.1f}, median {statistics.median(redraws):.1f}, "
          f"max {redraws[-1]:.1f} (target >= {HALL_TARGET} each); all {sum(redraws):.0f}/s")  # fmt: skip
    print(f"  training points/s per student: min {steps[0] * h['batch']:,.0f}, "
          f"median {statistics.median(steps) * h['batch']:,.0f}")  # fmt: skip
    print(f"  answers by status {h['statuses']}, errors {errors}")
    met = redraws[0] >= HALL_TARGET and errors == 0
    print(f"  lecture hall target {'met' if met else 'NOT met'}")


def _cpu() -> str:
    try:
        return next(
            l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")
        )
    except (OSError, StopIteration):
        return "unknown cpu"


if __name__ == "__main__":
    main()
