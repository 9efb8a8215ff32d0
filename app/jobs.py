"""Where (and whether) a request's work runs.

- Small work (a step, the losses over a data set, a short training run: up to
  inline_cost, a few milliseconds as the request's cost() estimates it) runs right on the
  event loop: a hop to a process would cost more than the work.
- Heavy work goes to a pool of worker processes (app/worker.py) at lower CPU priority and
  with one BLAS thread each, behind a bounded queue: the event loop, and so every small
  request, never waits for it, and when the queue is full the client hears 503 with
  Retry-After at once instead of hanging. Processes rather than threads, because numpy
  work holds the GIL for long stretches; a pool per server process scales out with
  `--workers`.
- A job's process can be stopped while the event loop keeps serving: when every client
  waiting for it has gone, or when it runs past job_time_budget (a 503 says so). The
  process is killed and a fresh one takes its place. Each worker also dies with the server
  (its parent): see app/worker.py.
- Every endpoint is a pure function of its request body (seeds included), so answers
  are kept in a small LRU cache keyed by the body, and identical requests that arrive
  while one is being computed wait for that one. A lecture hall pressing Step on the
  same preset, or Train with the same settings, costs one computation, not three hundred.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import struct
import subprocess
import sys
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

from pydantic_core import to_json

MAX_CACHED_BODY = 64 * 1024  # larger bodies are not worth hashing and keeping
MAX_CACHED_ANSWER = 1024 * 1024  # nor larger answers (a fine predict grid, a big network)
MAX_CACHE_BYTES = 64 * 1024 * 1024  # bodies and answers kept, in all
HEADER = struct.Struct("!Q")  # a frame between server and worker: its length, then its bytes
READY, ANSWER, ERROR, OUT_OF_MEMORY = b"R", b"A", b"E", b"M"  # what a worker's frame holds
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class Busy(Exception):
    """Heavy work cannot be done now: every slot is taken, a worker process died, ran out of
    memory or was stopped past its time budget. Answered with 503 and Retry-After."""

    def __init__(self, retry_after: int, why: str = "the server is busy with heavy requests"):
        super().__init__(f"{why}; try again in {retry_after} s")
        self.retry_after = retry_after


class WorkerDied(Exception):
    """A worker process ended while it held a job (killed, or out of memory)."""


@dataclass(frozen=True)
class Job:
    """What a request asks: fn(arg), estimated at ns nanoseconds of one core."""

    fn: object
    arg: object
    ns: float


class Jobs:
    def __init__(
        self, *, workers: int, queue: int, inline_cost: int, cache_entries: int = 0,
        retry_after: int = 5, time_budget: float = 10.0, env: dict[str, str] | None = None,
    ):  # fmt: skip
        self.workers = workers
        self.capacity = workers + queue  # running plus waiting
        self.inline_cost = inline_cost
        self.cache_entries = cache_entries
        self.retry_after = retry_after
        self.time_budget = time_budget
        self.env = env or {}
        self.in_flight = 0
        self._idle: list[Worker] = []  # ready, waiting for a job
        self._all: set[Worker] = set()
        self._waiting: deque[asyncio.Future] = deque()  # jobs waiting for a worker
        self._dying: set[subprocess.Popen] = set()  # killed, not yet reaped
        self._starting: set[asyncio.Task] = set()  # fresh workers on their way to the idle list
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._cache_bytes = 0
        self._pending: dict[tuple, Shared] = {}
        self._closed = False

    async def answer(self, key: tuple, plan, gone=None) -> bytes | None:
        """The JSON answer of the Job that plan() makes (it raises on a bad request); cached
        by key, and shared by identical requests in flight. gone(): a coroutine that returns
        when this client has left; then None is returned, and the job is stopped once every
        client waiting for it has left.
        """
        cacheable = self.cache_entries > 0 and len(key[-1]) <= MAX_CACHED_BODY
        if cacheable and key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        shared = self._pending.get(key) if cacheable else None
        if shared is None:
            job = plan()  # raises on a bad body: errors are never cached
            if job.ns <= self.inline_cost:
                result = self.inline(job)
                if cacheable:
                    self._keep(key, result)
                return result
            shared = Shared(asyncio.ensure_future(self.run(job)))
            if cacheable:
                self._pending[key] = shared
                shared.task.add_done_callback(lambda done: self._settle(key, done))
        return await shared.wait(gone)

    def inline(self, job: Job) -> bytes:
        try:
            return serialized(job.fn, job.arg)
        except MemoryError:
            raise Busy(self.retry_after, "the server ran out of memory for this request") from None

    def _settle(self, key, task) -> None:
        """Keep a finished computation's answer (not its error) in the cache."""
        del self._pending[key]
        if not task.cancelled() and task.exception() is None:  # retrieved: no warning
            self._keep(key, task.result())

    def _keep(self, key, result: bytes) -> None:
        if len(result) > MAX_CACHED_ANSWER:
            return
        self._cache[key] = result
        self._cache_bytes += len(key[-1]) + len(result)
        while len(self._cache) > self.cache_entries or self._cache_bytes > MAX_CACHE_BYTES:
            old_key, old = self._cache.popitem(last=False)
            self._cache_bytes -= len(old_key[-1]) + len(old)

    async def run(self, job: Job) -> bytes:
        """fn(arg) as JSON bytes: inline when cheap, else in a worker process."""
        if job.ns <= self.inline_cost:
            return self.inline(job)
        if self.in_flight >= self.capacity:
            raise Busy(self.retry_after)
        self.in_flight += 1
        try:
            worker = await self._worker()
            try:
                result = await asyncio.wait_for(worker.call(job.fn, job.arg), self.time_budget)
            except BaseException as e:
                if isinstance(e, JobFailed):
                    self._release(worker)  # the worker is fine; the job raised
                    raise e.error from None
                self._replace(worker)  # busy with a job nobody wants, or dead
                if isinstance(e, TimeoutError):
                    raise Busy(self.retry_after, (
                        f"this request was stopped after its time budget of "
                        f"{self.time_budget:g} s (job_time_budget): ask for less work, or "
                        "try again when the server is less busy"
                    )) from None  # fmt: skip
                if isinstance(e, OutOfMemory):
                    raise Busy(self.retry_after, "a worker ran out of memory for this request"
                               ) from None  # fmt: skip
                if isinstance(e, WorkerDied):
                    raise Busy(self.retry_after, "a worker process stopped while computing"
                               ) from None  # fmt: skip
                raise
            self._release(worker)
            return result
        finally:
            self.in_flight -= 1

    # --- the pool ---------------------------------------------------------------------------

    async def _worker(self) -> Worker:
        """An idle worker: a ready one, a new one, or the next one released."""
        if self._closed:
            raise Busy(self.retry_after, "the server is shutting down")
        while self._idle:
            worker = self._idle.pop()
            if worker.alive():
                return worker
            self._replace(worker, start=False)
        if len(self._all) < self.workers:
            worker = self._start()
            try:
                await worker.started()
            except BaseException as e:
                self._replace(worker, start=False)
                if isinstance(e, WorkerDied):
                    raise Busy(
                        self.retry_after, "a worker process stopped while starting"
                    ) from None
                raise
            return worker
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed a worker just now
                self._release(waiter.result())
            raise

    def _start(self) -> Worker:
        worker = Worker(self.env)
        self._all.add(worker)
        return worker

    def _release(self, worker: Worker) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _replace(self, worker: Worker, *, start: bool = True) -> None:
        """Kill a worker (busy with an abandoned job, or dead); start a fresh one in its
        place when jobs are waiting or it was in use, so the pool stays warm."""
        self._all.discard(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        self._dying.add(worker.kill())
        asyncio.get_running_loop().call_later(0.05, self._reap)
        if start and not self._closed and len(self._all) < self.workers:
            task = asyncio.ensure_future(self._warm(self._start()))
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def _warm(self, worker: Worker) -> None:
        try:
            await worker.started()
        except (WorkerDied, OSError):
            self._replace(worker, start=False)
            return
        if worker in self._all:
            self._release(worker)

    def _reap(self) -> None:
        """Collect killed processes without blocking the event loop (no zombies)."""
        self._dying = {p for p in self._dying if p.poll() is None}
        if self._dying:
            asyncio.get_running_loop().call_later(0.05, self._reap)

    def close(self) -> None:
        """Stop every worker process and wait for each to end (at shutdown)."""
        self._closed = True
        for waiter in self._waiting:
            if not waiter.done():
                waiter.cancel()
        self._waiting.clear()
        for worker in self._all:
            self._dying.add(worker.kill())
        self._all.clear()
        self._idle.clear()
        for process in self._dying:
            process.wait()
        self._dying.clear()


class Shared:
    """A job's task, awaited by every identical request; cancelled when all have left."""

    def __init__(self, task: asyncio.Task):
        self.task = task
        self.waiters = 0

    async def wait(self, gone=None) -> bytes | None:
        self.waiters += 1
        left = asyncio.ensure_future(gone()) if gone is not None else None
        try:
            if left is None:
                return await asyncio.shield(self.task)
            answer = asyncio.shield(self.task)
            await asyncio.wait((answer, left), return_when=asyncio.FIRST_COMPLETED)
            if not answer.done():
                answer.cancel()
                return None  # this client left: nobody to answer
            return answer.result()
        finally:
            if left is not None:
                left.cancel()
            self.waiters -= 1
            if self.waiters == 0 and not self.task.done():
                self.task.cancel()  # nobody waits for it any more: stop its worker


class JobFailed(Exception):
    """The job itself raised `error` in its worker (a bad body, say): the worker is fine."""

    def __init__(self, error: BaseException):
        super().__init__(error)
        self.error = error


class OutOfMemory(Exception):
    """The job raised MemoryError in its worker."""


class Worker:
    """One worker process (app/worker.py): pickled jobs in on its stdin, answers out on its
    stdout, one frame each way per job. The pipes are read and written from the event loop
    without blocking it, so any loop can use any worker."""

    def __init__(self, env: dict[str, str]):
        root = str(Path(__file__).resolve().parent.parent)  # where `app` is importable from
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.worker", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, **env, **dict.fromkeys(ONE_THREAD, "1"), "PYTHONPATH": path},
        )  # fmt: skip
        self.stdin, self.stdout = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self.stdin, False)
        os.set_blocking(self.stdout, False)
        self._ready = False
        self._exchanging = None  # (loop, future) while a frame is awaited

    def alive(self) -> bool:
        return self.process.poll() is None

    async def started(self) -> None:
        """Wait for the process to say it is ready (its imports done)."""
        if not self._ready:
            kind, _ = await self._exchange(b"")
            if kind != READY:
                raise WorkerDied("the worker did not start")
            self._ready = True

    async def call(self, fn, arg) -> bytes:
        """fn(arg) as JSON bytes, computed in the process."""
        await self.started()
        kind, data = await self._exchange(pickle.dumps((fn, arg)))
        if kind == ANSWER:
            return data
        if kind == OUT_OF_MEMORY:
            raise OutOfMemory()
        raise JobFailed(pickle.loads(data))

    async def _exchange(self, payload: bytes) -> tuple[bytes, bytes]:
        """Send one frame (none when payload is empty) and read one back: (kind, data)."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        out = memoryview(HEADER.pack(len(payload)) + payload) if payload else memoryview(b"")
        received = bytearray()

        def fail(why: str) -> None:
            if not done.done():
                done.set_exception(WorkerDied(why))

        def write() -> None:
            nonlocal out
            try:
                out = out[os.write(self.stdin, out) :]
            except BlockingIOError:
                return
            except OSError:
                return fail("the worker's input is closed")
            if not out:
                loop.remove_writer(self.stdin)

        def read() -> None:
            try:
                chunk = os.read(self.stdout, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                return fail("the worker process ended")
            received.extend(chunk)
            if len(received) >= HEADER.size:
                (size,) = HEADER.unpack_from(received)
                if len(received) >= HEADER.size + size and not done.done():
                    frame = bytes(received[HEADER.size : HEADER.size + size])
                    done.set_result((frame[:1], frame[1:]))

        if out:
            loop.add_writer(self.stdin, write)
        loop.add_reader(self.stdout, read)
        self._exchanging = loop, done
        try:
            return await done
        finally:
            self._stop_watching()

    def _stop_watching(self) -> None:
        if self._exchanging is not None:
            loop, done = self._exchanging
            self._exchanging = None
            loop.remove_writer(self.stdin)
            loop.remove_reader(self.stdout)
            if not done.done():
                done.set_exception(WorkerDied("the worker was stopped"))

    def kill(self) -> subprocess.Popen:
        """SIGKILL the process and close its pipes; the caller reaps it."""
        self._stop_watching()
        if self.process.poll() is None:
            self.process.kill()
        self.process.stdin.close()
        self.process.stdout.close()
        return self.process


def serialized(fn, arg) -> bytes:
    """fn(arg) written as JSON, non-finite floats as null (in the worker, for heavy work)."""
    return to_json(fn(arg), inf_nan_mode="null")


def settings_env(settings) -> dict[str, str]:
    """The settings as BACKPROP_VIZ_* variables, so that a worker checks what its server does."""
    return {
        f"BACKPROP_VIZ_{name.upper()}": str(value) for name, value in settings.model_dump().items()
    }
