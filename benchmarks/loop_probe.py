"""Serve the app as `backprop-viz` does, timing every callback of its event loop in CPU time
of the loop's thread: how long our code held the loop, which other processes on a shared
machine do not change (they make wall times longer, not this). Used by load.py --event-loop.

    LOOP_PROBE_STATS=/tmp/stats.json python benchmarks/loop_probe.py --port 8000

SIGUSR1 starts a new count; SIGUSR2 writes what was counted since then to that file:
{"callbacks", "over_5_ms", "longest": [[cpu ms, wall ms, what], ...]}. uvicorn runs with
the asyncio loop here (uvloop's callbacks cannot be timed from Python); our code does the
same on both.
"""

from __future__ import annotations

import argparse
import asyncio.events
import heapq
import importlib.util
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.getcwd())  # the app of the tree this runs in (load.py --tree)

import uvicorn

counts = {"callbacks": 0, "over_5_ms": 0, "longest": []}
_run = asyncio.events.Handle._run


def _timed(handle) -> None:
    wall, cpu = time.perf_counter(), time.thread_time()
    _run(handle)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    counts["callbacks"] += 1
    if cpu > 0.005:
        counts["over_5_ms"] += 1
    longest, cpu_ms = counts["longest"], cpu * 1e3
    if len(longest) < 5 or cpu_ms > longest[0][0]:
        entry = (cpu_ms, wall * 1e3, _what(handle))
        (heapq.heappush if len(longest) < 5 else heapq.heapreplace)(longest, entry)


def _what(handle) -> str:
    """The innermost coroutine a task step ran, or the callback."""
    task = getattr(getattr(handle, "_callback", None), "__self__", None)
    coro = task.get_coro() if hasattr(task, "get_coro") else None
    if coro is None:
        return repr(handle)[:100]
    while hasattr(getattr(coro, "cr_await", None), "cr_frame"):
        coro = coro.cr_await
    return getattr(coro, "__qualname__", repr(coro))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    stats = os.environ["LOOP_PROBE_STATS"]

    def reset(*_):
        counts.update(callbacks=0, over_5_ms=0, longest=[])

    def write(*_):
        longest = sorted(counts["longest"], reverse=True)
        with open(stats, "w") as f:
            json.dump(counts | {"longest": longest}, f)

    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, write)
    asyncio.events.Handle._run = _timed
    # the deadlines for slow clients, where the tree has them (an older tree may not)
    http = "app.server:HttpProtocol" if importlib.util.find_spec("app.server") else "auto"
    uvicorn.run("app.main:app", port=args.port, loop="asyncio", http=http, access_log=False)


if __name__ == "__main__":
    main()
