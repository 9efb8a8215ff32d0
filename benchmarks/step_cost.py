"""Where a computed /api/v1/step's time goes, per request, inside the server process; and
how answers.cost's estimates (which decide what runs on the event loop) compare with the
time requests really take.

    python benchmarks/step_cost.py            # about 20 seconds
    python benchmarks/step_cost.py --quick    # a few seconds

Calls the app as the server does (ASGI, without sockets) for GET /healthz and for the Mazur
step with the answer cache off, beside a no-op route in bare Starlette, then times each part
of the step's own work, then the estimate and the time of a range of requests. Every figure
is the best of several interleaved repetitions; the parts of a step are timed in CPU time of
this process (they run in its one thread), so that other work on a shared machine moves
them less.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["BACKPROP_VIZ_RESPONSE_CACHE_ENTRIES"] = "0"  # before the app reads its settings

from pydantic_core import to_json  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from app.api import answers  # noqa: E402
from app.api import schemas as s  # noqa: E402
from app.api.endpoints import ENDPOINTS  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.engine.data import preset  # noqa: E402
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
        "estimate the cost": lambda: answers.cost(request),
        "the step and its answer": lambda: answers.step(request),
        "write the JSON": lambda: to_json(answer, inf_nan_mode="null"),
    }
    print("\nthe computed step's own work, us each")
    for name, us in best_us(parts, n * 3, repeats).items():
        print(f"  {name:30s} {us:7.1f}")
    print(f"\n{len(BODY)} bytes in, {len(to_json(answer))} bytes out")
    estimates(n=1 if args.quick else 5)


def estimates(n: int) -> None:
    """answers.cost beside the measured time (compute and JSON) of a range of requests."""
    mazur, deep = preset("mazur"), preset("deep")
    net, data = deep["network"], {k: deep[k] for k in ("inputs", "targets")}
    batch = {k: v[:30] for k, v in data.items()}
    plane = {"network": net, "x_range": [-5, 5], "y_range": [-5, 5]}
    requests = [
        ("step", "mazur", {k: mazur[k] for k in ("network", "inputs", "targets", "learning_rate")}),
        ("step", "deep, a batch of 30 (the page)", {"network": net, **batch, "learning_rate": 0.03}),
        ("step", "deep, all 300 samples", {"network": net, **data, "learning_rate": 0.03}),
        ("forward", "deep, 300, trace false (the page)", {"network": net, **data, "trace": False}),
        ("forward", "deep, 300, whole trace", {"network": net, **data}),
        ("predict", "deep, 40x40 output (the page)", {**plane, "resolution": 40, "hidden": False}),
        ("predict", "deep, 20x20 every neuron (the page)", {**plane, "resolution": 20}),
        ("predict", "deep, 40x40 every neuron", {**plane, "resolution": 40}),
        ("gradcheck", "mazur", {k: mazur[k] for k in ("network", "inputs", "targets")}),
        ("check", "mazur, hidden delta, no mistake gives it", {**{k: mazur[k] for k in ("network", "inputs", "targets", "learning_rate")}, "quantity": "delta", "layer": 0, "index": 0, "answer": 0.5}),
        ("check", "deep, 30, hidden delta, no mistake", {"network": net, **batch, "learning_rate": 0.03, "quantity": "delta", "layer": 0, "index": 0, "answer": 0.5}),
        ("train", "mazur, 1000 epochs", {**{k: mazur[k] for k in ("network", "inputs", "targets", "learning_rate")}, "epochs": 1000}),
        ("train", "deep, 10 steps of 30", {"network": net, **data, "learning_rate": 0.03, "steps": 10, "batch_size": 30}),
    ]  # fmt: skip
    limit = get_settings().inline_cost
    print(f"\nanswers.cost (estimated ns) beside the measured time; inline up to {limit:,}")
    print(f"  {'request':44s} {'estimate us':>11s} {'measured us':>11s} {'answer':>10s}  runs")
    for endpoint, what, body in requests:
        fn, model, _ = ENDPOINTS[f"/api/v1/{endpoint}"]
        request = model.model_validate(body)
        times = []
        for _ in range(n + 1):
            start = time.perf_counter()
            out = serialized(fn, request)
            times.append(time.perf_counter() - start)
        estimate = answers.cost(request)
        where = "inline" if estimate <= limit else "in the pool"
        print(f"  {endpoint + ' ' + what:44s} {estimate / 1e3:11,.0f} {min(times[1:]) * 1e6:11,.0f}"
              f" {len(out):10,}  {where}")  # fmt: skip


if __name__ == "__main__":
    main()
