"""Where a computed /api/v1/step's time goes, per request, inside the server process; and
how each request's cost() estimate (which refuses requests past max_cost and decides what
runs on the event loop) compares with the time requests really take.

    python benchmarks/step_cost.py            # about a minute
    python benchmarks/step_cost.py --quick    # a few seconds

Calls the app as the server does (ASGI, without sockets) for GET /healthz and for the Mazur
step with the answer cache off, beside a no-op route in bare Starlette, then times each part
of the step's own work, then the estimate and the time of a range of requests: parsing the
body, computing, writing the JSON, with one BLAS thread as the worker processes have, and
compiled code compiled afresh (the estimates assume it is not cached). Every figure is the
best of several repetitions, in CPU time of this process (it runs in one thread), so that
other work on a shared machine moves them less.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["BACKPROP_VIZ_RESPONSE_CACHE_ENTRIES"] = "0"  # before the app reads its settings
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # before numpy loads: as in the worker processes

import json  # noqa: E402

from pydantic_core import to_json  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from app.api import answers  # noqa: E402
from app.api import schemas as s  # noqa: E402
from app.api.cost import parse_ns  # noqa: E402
from app.api.endpoints import ENDPOINTS  # noqa: E402
from app.api.routes import dataset_answer, dataset_cost  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.engine import compiled  # noqa: E402
from app.engine.data import dataset, preset  # noqa: E402
from app.jobs import serialized  # noqa: E402
from app.main import create_app  # noqa: E402
from benchmarks.load import STEP_BODY  # noqa: E402

BODY = STEP_BODY.encode()


async def call(app, method: str, path: str, body: bytes = b"") -> None:
    """One request through the ASGI app, as uvicorn makes it."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    }  # fmt: skip
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = []

    async def receive():
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    assert status == [200], status


def best_us(fns: dict, n: int, repeats: int) -> dict:
    """Best of `repeats` rounds of n calls of each fn, the rounds interleaved: us per call."""
    best = dict.fromkeys(fns, float("inf"))
    for fn in fns.values():
        fn()  # warm up
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.process_time()
            for _ in range(n):
                fn()
            best[name] = min(best[name], (time.process_time() - start) / n * 1e6)
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    n, repeats = (300, 3) if args.quick else (3000, 7)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")

    app = create_app()

    async def noop(request):
        return Response(b'{"status":"ok"}', media_type="application/json")

    bare = Starlette(routes=[Route("/noop", noop)])
    loop = asyncio.new_event_loop()
    whole = {
        "GET /healthz (FastAPI route)": lambda: loop.run_until_complete(call(app, "GET", "/healthz")),
        "POST /api/v1/step, computed": lambda: loop.run_until_complete(
            call(app, "POST", "/api/v1/step", BODY)
        ),
        "GET /noop in bare Starlette": lambda: loop.run_until_complete(call(bare, "GET", "/noop")),
    }  # fmt: skip
    print("\nwhole requests through the app, us each (no sockets: uvicorn's share is not here)")
    for name, us in best_us(whole, n, repeats).items():
        print(f"  {name:30s} {us:7.1f}")

    request = s.StepRequest.model_validate_json(BODY)
    answer = answers.step(request)
    parts = {
        "parse and check the body": lambda: s.StepRequest.model_validate_json(BODY),
        "estimate the cost": lambda: request.cost(),
        "the step and its answer": lambda: answers.step(request),
        "write the JSON": lambda: to_json(answer, inf_nan_mode="null"),
    }
    print("\nthe computed step's own work, us each")
    for name, us in best_us(parts, n * 3, repeats).items():
        print(f"  {name:30s} {us:7.1f}")
    print(f"\n{len(BODY)} bytes in, {len(to_json(answer))} bytes out")
    estimates(n=1 if args.quick else 5)


def requests() -> list[tuple[str, str, dict]]:
    """(endpoint, what, body) from a Mazur step to training runs of seconds."""
    mazur, deep = preset("mazur"), preset("deep")
    net, data = deep["network"], {k: deep[k] for k in ("inputs", "targets")}
    batch = {k: v[:30] for k, v in data.items()}
    plane = {"network": net, "x_range": [-5, 5], "y_range": [-5, 5]}
    worked = {k: mazur[k] for k in ("network", "inputs", "targets", "learning_rate")}
    x, y = dataset("spiral", 2000, labels="signed")
    big = {"inputs": x.tolist(), "targets": y.tolist()}
    tiny = {"layer_sizes": [2, 4, 1], "activations": ["tanh", "tanh"]}
    wide = {"layer_sizes": [2, 300, 300, 1], "activations": ["tanh", "tanh", "tanh"]}
    broad = {**wide, "layer_sizes": [2, 250, 250, 1]}  # a step's answer of 2-300-300-1 is too big
    ten = {
        "layer_sizes": [2] + [64] * 8 + [4],
        "activations": ["tanh"] * 8 + ["softmax"],
        "loss": "cross_entropy",
    }
    onehot = {
        "inputs": x[:1000].tolist(),
        "targets": [[float(i % 4 == j) for j in range(4)] for i in range(1000)],
    }
    thin = {"layer_sizes": [1, 31, 31, 1], "activations": ["tanh", "tanh", "linear"], "loss": "mse"}
    line = {"inputs": x[:1000, :1].tolist(), "targets": y[:1000].tolist()}
    return [
        ("step", "mazur (compiled)", worked),
        ("step", "mazur with terms (the page)", {**worked, "terms": True}),
        ("step", "deep, a batch of 30 (the page)", {"network": net, **batch, "learning_rate": 0.03}),
        ("step", "deep, all 300 samples", {"network": net, **data, "learning_rate": 0.03}),
        ("step", "2-250-250-1, 20 samples", {"network": broad, **{k: v[:20] for k, v in big.items()},
                                            "learning_rate": 0.1}),
        ("forward", "deep, 300, trace false (the page)", {"network": net, **data, "trace": False}),
        ("forward", "deep, 300, whole trace", {"network": net, **data}),
        ("forward", "2-300-300-1, 2000, trace false", {"network": wide, **big, "trace": False}),
        ("forward", "2-300-300-1, 200, whole trace", {"network": wide, **{k: v[:200] for k, v in big.items()}}),
        ("predict", "deep, 40x40 output (the page)", {**plane, "resolution": 40, "hidden": False}),
        ("predict", "deep, 20x20 every neuron (the page)", {**plane, "resolution": 20}),
        ("predict", "deep, 40x40 every neuron", {**plane, "resolution": 40}),
        ("predict", "2-300-300-1, 400x400 output", {"network": wide, "resolution": 400, "hidden": False}),
        ("gradcheck", "mazur", {k: mazur[k] for k in ("network", "inputs", "targets")}),
        ("gradcheck", "deep, 30 samples", {"network": net, **batch}),
        ("check", "mazur, hidden delta, no mistake gives it", {**worked, "quantity": "delta", "layer": 0, "index": 0, "answer": 0.5}),
        ("check", "deep, 30, hidden delta, no mistake", {"network": net, **batch, "learning_rate": 0.03, "quantity": "delta", "layer": 0, "index": 0, "answer": 0.5}),
        ("init", "2-300-300-1", {"network": wide}),
        ("train", "mazur, 1000 epochs (compiled)", {**worked, "epochs": 1000}),
        ("train", "2-4-1, batch 1, 20 epochs of 200 (compiled)",
         {"network": tiny, **{k: v[:200] for k, v in big.items()}, "learning_rate": 0.1,
          "epochs": 20, "batch_size": 1}),
        ("train", "deep, 10 steps of 30", {"network": net, **data, "learning_rate": 0.03, "steps": 10, "batch_size": 30}),
        ("train", "deep, batch 1, 3 epochs of 2000", {"network": net, **big, "learning_rate": 0.01,
                                                      "epochs": 3, "batch_size": 1}),
        ("train", "deep, full batch, 500 epochs, test set",
         {"network": net, **data, "learning_rate": 0.03, "epochs": 500,
          "test_inputs": big["inputs"][:300], "test_targets": big["targets"][:300]}),
        ("train", "10 layers, softmax, batch 1, 1 epoch of 1000",
         {"network": ten, **onehot, "learning_rate": 0.01, "epochs": 1, "batch_size": 1}),
        ("train", "1-31-31-1, batch 1, 3 epochs of 1000", {"network": thin, **line, "learning_rate": 0.01,
                                                          "epochs": 3, "batch_size": 1}),
        ("train", "2-300-300-1, full batch of 2000, 5 epochs", {"network": wide, **big,
                                                               "learning_rate": 0.01, "epochs": 5}),
        ("train", "spiral, Run: 100 steps, 2 states, grids (the page)", run_piece("spiral", 100)),
        ("train", "deep, Run: 50 steps, 2 states, grids (the page)", run_piece("deep", 50)),
        ("train", "deep, 2000 epochs, record_every 1", {"network": net, **{k: v[:4] for k, v in data.items()},
                                                        "learning_rate": 0.01, "epochs": 2000}),
    ]  # fmt: skip


def run_piece(name: str, steps: int) -> dict:
    """A piece of Run on a preset as the page asks for it (run.js): from step 100, with the
    test set, the grids of its data plot (39 points an axis, maps of 20) and a snapshot."""
    p = preset(name)
    keys = ("network", "inputs", "targets", "test_inputs", "test_targets", "learning_rate",
            "batch_size", "momentum", "shuffle_seed")  # fmt: skip
    grids = {"x_range": [-6, 6], "y_range": [-6, 6], "resolution": 39, "maps": 20}
    return {k: p[k] for k in keys if p.get(k) is not None} | {
        "steps": steps, "start_step": 100, "record_every": steps,
        "snapshot_every": -(-steps // 2), "grids": grids,
    }  # fmt: skip


def measured(fn, model, body: bytes, *, in_pool: bool) -> float:
    """CPU seconds to parse, check, compute and write out a request, compiling afresh (CPU
    time: what this process took, whatever else the shared machine runs beside it), with
    the garbage collector off for work that runs in the pool, as a worker runs it."""
    compiled.step_function.cache_clear()
    compiled.trace_function.cache_clear()
    if in_pool:
        gc.disable()
    try:
        start = time.process_time()
        serialized(fn, s.parse(model, body))
        return time.process_time() - start
    finally:
        gc.enable()


def estimates(n: int) -> None:
    """Each request's cost() beside the measured time (parsing, compute and JSON)."""
    limit = get_settings().inline_cost
    print(f"\ncost() (estimated) beside the measured time; inline up to {limit / 1e6:g} ms")
    print(f"  {'request':54s} {'estimate ms':>11s} {'measured ms':>11s} {'ratio':>6s}"
          f" {'answer':>10s}  runs")  # fmt: skip
    rows = [(f"/api/v1/{e}", f"{e} {w}", json.dumps(b).encode()) for e, w, b in requests()]
    ratios = []
    for path, what, body in rows:
        fn, model, _ = ENDPOINTS[path]
        request = s.parse(model, body)
        estimate = (parse_ns(len(body)) + request.cost().ns) / 1e9
        repeats = n if estimate < 0.5 else 1
        in_pool = estimate * 1e9 > limit
        best = min(measured(fn, model, body, in_pool=in_pool) for _ in range(repeats))
        size = len(serialized(fn, request))
        ratios.append(estimate / best)
        where = "inline" if estimate * 1e9 <= limit else "in the pool"
        print(f"  {what:54s} {estimate * 1e3:11,.2f} {best * 1e3:11,.2f} {estimate / best:6.2f}"
              f" {size:10,}  {where}")  # fmt: skip
    samples = 10_000
    query = ("spiral", samples, 0.0, 0, "binary", 0)
    took = float("inf")
    for _ in range(n + 1):
        start = time.process_time()
        to_json(dataset_answer(query))
        took = min(took, time.process_time() - start)
    estimate = dataset_cost(samples) / 1e9
    ratios.append(estimate / took)
    print(f"  {'GET /api/v1/datasets/spiral?n=10000':54s} {estimate * 1e3:11,.2f}"
          f" {took * 1e3:11,.2f} {estimate / took:6.2f}")  # fmt: skip
    print(f"estimate / measured: from {min(ratios):.2f} to {max(ratios):.2f}")


if __name__ == "__main__":
    main()
