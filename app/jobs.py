"""Where a request's work runs.

Small work (the common case: a step, a forward pass, a short training run) runs right
on the event loop: it takes well under a millisecond, and a thread hop would cost more
than the work. Heavy work goes to a pool of worker processes at lower CPU priority,
behind a bounded queue: the event loop (and so every small request) never waits for
it, and when the queue is full the client hears 503 with Retry-After at once instead
of hanging. Processes rather than threads, because numpy work holds the GIL for long
stretches; a per-process pool also scales out with `--workers`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


class Busy(Exception):
    """Every heavy-work slot is taken."""

    def __init__(self, retry_after: int):
        super().__init__(f"the server is busy with heavy requests; try again in {retry_after} s")
        self.retry_after = retry_after


class Jobs:
    def __init__(self, *, workers: int, queue: int, inline_cost: int, retry_after: int = 5):
        self.workers = workers
        self.capacity = workers + queue  # running plus waiting
        self.inline_cost = inline_cost
        self.retry_after = retry_after
        self.in_flight = 0
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn, request, cost: int):
        """fn(request), inline when cost is small, else in a worker process."""
        if cost <= self.inline_cost:
            return fn(request)
        if self.in_flight >= self.capacity:
            raise Busy(self.retry_after)
        self.in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool(), fn, request)
        finally:
            self.in_flight -= 1

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init,
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _worker_init() -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core per worker, before numpy loads
    os.nice(10)  # interactive requests in the server process come first
