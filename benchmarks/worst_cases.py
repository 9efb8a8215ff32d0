"""The worst requests the limits accept, timed against a real server: with the default limits
every one must finish within 10 s on this machine (the README's "Limits" quotes this run).

    python benchmarks/worst_cases.py           # about three minutes
    python benchmarks/worst_cases.py --quick   # the same search under max_cost 0.2 s

For each endpoint and a few network shapes (the generated-code path, a 10-layer softmax
network, the deep preset, a wide network) the largest amount of work the limits accept is
found by bisection on the request's own checks (epochs, steps, samples, resolution). Each
request is then sent, one at a time, to a server started with the same settings (1 worker
process for heavy work, at lower priority, as deployed), and its time printed beside its
estimate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUICK = {"BACKPROP_VIZ_MAX_COST": "200000000"}
if "--quick" in sys.argv:
    os.environ.update(QUICK)  # before the app reads its settings

from app.api import schemas as s  # noqa: E402
from app.api.cost import parse_ns  # noqa: E402
from app.api.endpoints import ENDPOINTS  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.engine.data import dataset, preset  # noqa: E402
from tests.live import descendants, serving  # noqa: E402

X, Y = dataset("spiral", 10_000, labels="signed")
DATA = {"inputs": X.tolist(), "targets": Y.tolist()}
MAZUR, DEEP = preset("mazur"), preset("deep")
WIDE = {"layer_sizes": [2, 300, 300, 1], "activations": ["tanh", "tanh", "tanh"]}
BROAD = {**WIDE, "layer_sizes": [2, 250, 250, 1]}  # a step's answer of WIDE is too big
SOFTMAX = {"layer_sizes": [2] + [16] * 8 + [4], "activations": ["tanh"] * 8 + ["softmax"],
           "loss": "cross_entropy"}  # fmt: skip
THIN = {"layer_sizes": [1, 31, 31, 1], "activations": ["tanh", "tanh", "linear"], "loss": "mse"}
TINY = {"layer_sizes": [2, 4, 1], "activations": ["tanh", "tanh"]}
FAN = {"layer_sizes": [2, 512, 1, 512, 1, 512, 1, 512, 1], "activations": ["tanh"] * 7 + ["linear"]}
ONE_HOT = [[float(i % 4 == o) for o in range(4)] for i in range(10_000)]


def first(n: int) -> dict:
    return {k: v[:n] for k, v in DATA.items()}


def train(network, data, count="epochs", **options):
    return lambda k: {"network": network, **data, "learning_rate": 0.01, **options, count: k}


def cases() -> list[tuple[str, str, object, int, int]]:
    """(endpoint, what, k -> body, lowest k, highest k): the larger k, the more work."""
    worked = {k: MAZUR[k] for k in ("network", "inputs", "targets", "learning_rate")}
    deep, n = DEEP["network"], len(X)
    return [
        ("train", "mazur, 1 sample, epochs (compiled)",
         lambda k: {**worked, "epochs": k, "record_every": k}, 1, 1 << 31),
        ("train", "mazur, 1 sample, epochs, every one recorded",
         lambda k: {**worked, "epochs": k, "record_every": 1}, 1, 1 << 31),
        ("train", "2-4-1, 10,000 samples, batch 1, epochs (compiled)",
         train(TINY, DATA, batch_size=1), 1, 1 << 31),
        ("train", "1-31-31-1, 10,000 samples, batch 1, epochs",
         train(THIN, {"inputs": X[:, :1].tolist(), "targets": DATA["targets"]}, batch_size=1),
         1, 1 << 31),
        ("train", "10 layers, softmax, 10,000 samples, batch 1, epochs",
         train(SOFTMAX, {"inputs": DATA["inputs"], "targets": ONE_HOT}, batch_size=1), 1, 1 << 31),
        ("train", "deep, 300 samples, full batch, epochs",
         train(deep, {k: DEEP[k] for k in ("inputs", "targets")}), 1, 1 << 31),
        ("train", "deep, 10,000 samples, batch 32, epochs, test set of 10,000",
         train(deep, DATA, batch_size=32, test_inputs=DATA["inputs"],
               test_targets=DATA["targets"]), 1, 1 << 31),
        ("train", "2-300-300-1, 10,000 samples, batch 1, steps",
         train(WIDE, DATA, "steps", batch_size=1), 1, 1 << 31),
        ("train", "2-300-300-1, 10,000 samples, batch 1000, epochs",
         train(WIDE, DATA, batch_size=1000), 1, 1 << 31),
        ("train", "2-300-300-1, full batch, samples",
         lambda k: {"network": WIDE, **first(k), "learning_rate": 0.01, "epochs": 1}, 1, n),
        ("step", "deep, samples", lambda k: {"network": deep, **first(k), "learning_rate": 0.1},
         1, n),
        ("step", "2-250-250-1, samples", lambda k: {"network": BROAD, **first(k),
                                                    "learning_rate": 0.1}, 1, n),
        ("forward", "2-300-300-1, samples, whole trace", lambda k: {"network": WIDE, **first(k)},
         1, n),
        ("forward", "2-300-300-1, samples, trace false",
         lambda k: {"network": WIDE, **first(k), "trace": False}, 1, n),
        ("predict", "2-300-300-1, resolution, every neuron",
         lambda k: {"network": WIDE, "resolution": k}, 2, 400),
        ("predict", "2,052 neurons, resolution, output",
         lambda k: {"network": FAN, "resolution": k, "hidden": False}, 2, 400),
        ("gradcheck", "deep, samples", lambda k: {"network": deep, **first(k)}, 1, n),
        ("gradcheck", "2-300-300-1, samples", lambda k: {"network": WIDE, **first(k)}, 1, n),
        ("gradcheck", "10 layers, softmax, samples, five point",
         lambda k: {"network": SOFTMAX, "inputs": DATA["inputs"][:k], "targets": ONE_HOT[:k],
                    "method": "five_point"}, 1, n),
        ("init", "2-313-313-1 (99,535 parameters), seed",
         lambda k: {"network": {"layer_sizes": [2, 313, 313, 1], "seed": k,
                                "activations": ["tanh"] * 3}}, 1, 1),
    ]  # fmt: skip


def accepted(path: str, body: dict) -> bool:
    try:
        s.parse(ENDPOINTS[path][1], json.dumps(body).encode())
    except (s.InvalidBody, s.FieldErrors):
        return False
    return True


def largest(path: str, build, lo: int, hi: int) -> int | None:
    """The largest k in [lo, hi] the limits accept (bisection), or None when lo is refused."""
    if not accepted(path, build(lo)):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if accepted(path, build(mid)):
            lo = mid
        else:
            hi = mid - 1
    return lo


def workers_cpu(server_pid: int) -> float:
    """CPU seconds used so far by the server's heavy-work processes (/proc)."""
    total = 0
    for pid in descendants(server_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"app.worker" not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the same search, max_cost 0.2 s")
    args = parser.parse_args(argv)
    settings = get_settings()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; max_cost "
          f"{settings.max_cost / 1e9:g} s, max_answer_bytes {settings.max_answer_bytes:,}, "
          f"max_memory_bytes {settings.max_memory_bytes:,}, job_time_budget "
          f"{settings.job_time_budget:g} s")  # fmt: skip
    found = []
    for endpoint, what, build, lo, hi in cases():
        path = f"/api/v1/{endpoint}"
        k = largest(path, build, lo, hi)
        if k is None:
            print(f"  refused even at the least ({lo}): {endpoint} {what}")
        else:
            found.append((path, what, k, json.dumps(build(k)).encode()))
    env = QUICK if args.quick else {}
    print("\nthe worst accepted request of each kind, timed through a server, one at a time")
    print("(measured: wall time at the client; cpu: what the worker process used, which the")
    print(" estimate is of; on a machine busy with other work, wall time is longer)")
    print(f"  {'request':62s} {'k':>9s} {'estimate s':>10s} {'cpu s':>6s} {'measured s':>10s}"
          f" status {'answer':>11s}")  # fmt: skip
    worst = 0.0
    with serving(env=env) as (url, server), httpx.Client(base_url=url, timeout=120) as client:
        warm = {**{k: MAZUR[k] for k in ("network", "inputs", "targets")}, "learning_rate": 0.5,
                "epochs": 3000, "record_every": 3000}  # fmt: skip
        client.post("/api/v1/train", json=warm)  # the worker process has started
        for path, what, k, body in found:
            request = s.parse(ENDPOINTS[path][1], body)
            estimate = (parse_ns(len(body)) + request.cost().ns) / 1e9
            cpu = workers_cpu(server.pid)
            start = time.perf_counter()
            r = client.post(path, content=body, headers={"content-type": "application/json"})
            took = time.perf_counter() - start
            cpu = workers_cpu(server.pid) - cpu
            worst = max(worst, took)
            print(f"  {path.rsplit('/', 1)[1] + ' ' + what:62s} {k:9,} {estimate:10.2f} {cpu:6.2f}"
                  f" {took:10.2f} {r.status_code:6d} {len(r.content):11,}", flush=True)  # fmt: skip
        start = time.perf_counter()
        r = client.get("/api/v1/datasets/spiral", params={"n": 9999, "test": 1})
        took = time.perf_counter() - start
        worst = max(worst, took)
        print(f"  {'GET /api/v1/datasets/spiral, 10,000 samples':62s} {10_000:9,} {'':10s} "
              f"{'':6s} {took:10.2f} {r.status_code:6d} {len(r.content):11,}")  # fmt: skip
    print(f"longest: {worst:.2f} s (target: every one within 10 s with the default limits)")


if __name__ == "__main__":
    main()
