"""Where a computed /api/v1/step's time goes, per request, inside the server process.

    python benchmarks/step_cost.py            # about 20 seconds
    python benchmarks/step_cost.py --quick    # a few seconds

Calls the app as the server does (ASGI, without sockets) for GET /healthz and for the Mazur
step with the answer cache off, beside a no-op route in bare Starlette, then times each part
of the step's own work. Every figure is the best of several interleaved repetitions.
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
            start = time.perf_counter()
            for _ in range(n):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / n * 1e6)
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


if __name__ == "__main__":
    main()
