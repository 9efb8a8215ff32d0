"""Where (and whether) a request's work runs.

- Small work (a step, the losses over a data set, a short training run: up to
  inline_cost, a few milliseconds as answers.cost estimates it) runs right on the event
  loop: a hop to a thread or a process would cost more than the work.
- Heavy work goes to a pool of worker processes at lower CPU priority, behind a bounded
  queue: the event loop, and so every small request, never waits for it, and when the
  queue is full the client hears 503 with Retry-After at once instead of hanging.
  Processes rather than threads, because numpy work holds the GIL for long stretches;
  a pool per server process also scales out with `--workers`.
- Every endpoint is a pure function of its request body (seeds included), so answers
  are kept in a small LRU cache keyed by the body, and identical requests that arrive
  while one is being computed wait for that one. A lecture hall pressing Step on the
  same preset, or Train with the same settings, costs one computation, not three hundred.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pydantic_core import to_json

MAX_CACHED_BODY = 64 * 1024  # larger bodies are not worth hashing and keeping
MAX_CACHED_ANSWER = 1024 * 1024  # nor larger answers (a fine predict grid, a big network)
MAX_CACHE_BYTES = 64 * 1024 * 1024  # bodies and answers kept, in all


class Busy(Exception):
    """Heavy work cannot be taken now: every slot is taken, or a worker process died."""

    def __init__(self, retry_after: int, why: str = "the server is busy with heavy requests"):
        super().__init__(f"{why}; try again in {retry_after} s")
        self.retry_after = retry_after


class Jobs:
    def __init__(
        self, *, workers: int, queue: int, inline_cost: int, cache_entries: int = 0,
        retry_after: int = 5,
    ):  # fmt: skip
        self.workers = workers
        self.capacity = workers + queue  # running plus waiting
        self.inline_cost = inline_cost
        self.cache_entries = cache_entries
        self.retry_after = retry_after
        self.in_flight = 0
        self._pool: ProcessPoolExecutor | None = None
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._cache_bytes = 0
        self._pending: dict[tuple, asyncio.Task] = {}

    async def answer(self, fn, body: bytes, parse, cost) -> bytes:
        """The JSON answer of fn to the request parse() makes of body; cached by body.

        The computation runs as a task of its own that every identical request awaits,
        so a client that goes away does not take the answer from the others.
        """
        request_key = (fn.__module__, fn.__qualname__, body)
        if not (self.cache_entries > 0 and len(body) <= MAX_CACHED_BODY):
            request = parse()
            return await self.run(fn, request, cost(request))
        if request_key in self._cache:
            self._cache.move_to_end(request_key)
            return self._cache[request_key]
        task = self._pending.get(request_key)
        if task is None:
            request = parse()  # raises on a bad body: errors are never cached
            task = asyncio.ensure_future(self.run(fn, request, cost(request)))
            self._pending[request_key] = task
            task.add_done_callback(lambda done: self._settle(request_key, done))
        return await asyncio.shield(task)

    def _settle(self, request_key, task) -> None:
        """Keep a finished computation's answer (not its error) in the cache."""
        del self._pending[request_key]
        if task.cancelled() or task.exception() is not None:  # retrieved: no warning
            return
        result, body = task.result(), request_key[2]
        if len(result) > MAX_CACHED_ANSWER:
            return
        self._cache[request_key] = result
        self._cache_bytes += len(body) + len(result)
        while len(self._cache) > self.cache_entries or self._cache_bytes > MAX_CACHE_BYTES:
            (_, _, old_body), old = self._cache.popitem(last=False)
            self._cache_bytes -= len(old_body) + len(old)

    async def run(self, fn, request, cost: int) -> bytes:
        """fn(request) as JSON bytes: inline when cost is small, else in a worker process."""
        if cost <= self.inline_cost:
            return serialized(fn, request)
        if self.in_flight >= self.capacity:
            raise Busy(self.retry_after)
        self.in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.pool(), serialized, fn, request)
        except BrokenProcessPool:  # a worker was killed (out of memory, say): start afresh
            self.close()
            raise Busy(self.retry_after, "a worker process stopped while computing") from None
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


def serialized(fn, request) -> bytes:
    """fn(request) written as JSON, non-finite floats as null (in the worker, for heavy work)."""
    return to_json(fn(request), inf_nan_mode="null")


def _worker_init() -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core per worker, before numpy loads
    os.nice(10)  # interactive requests in the server process come first
