"""Heavy work is isolated and bounded, identical requests are computed once, and several
worker processes serve the same answers."""

import asyncio
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy
import pytest

from app.api.endpoints import PostEndpoints
from app.config import get_settings
from app.jobs import Busy, Job, Jobs
from tests.live import running_server


@pytest.mark.parametrize("launcher", ["backprop-viz", "uvicorn", "gunicorn"])
def test_two_workers_share_the_load_and_give_identical_answers(mazur_step, launcher):
    with running_server(workers=2, launcher=launcher) as url:
        # new connections, so the kernel can hand each to either worker
        workers = {httpx.get(f"{url}/healthz").headers["x-backprop-worker"] for _ in range(60)}
        assert len(workers) == 2
        answers = set()
        for _ in range(20):
            r = httpx.post(f"{url}/api/v1/step", json=mazur_step)
            assert r.status_code == 200
            answers.add(r.text)
        assert len(answers) == 1
        assert round(json.loads(answers.pop())["layers"][1]["new_weights"][0][0], 8) == 0.35891648


def test_a_full_heavy_queue_answers_503_at_once():
    async def scenario():
        jobs = Jobs(workers=1, queue=0, inline_cost=0)
        try:
            first = asyncio.ensure_future(jobs.run(Job(time.sleep, 1.0, 1)))
            await asyncio.sleep(0)  # the first job now holds the only slot
            with pytest.raises(Busy) as busy:
                await jobs.run(Job(time.sleep, 0.0, 1))
            assert busy.value.retry_after > 0
            assert await first == b"null"  # time.sleep's None, as JSON
            assert await jobs.run(Job(time.sleep, 0.0, 1)) == b"null"  # the slot is free again
        finally:
            jobs.close()

    run(scenario())


def test_a_killed_worker_gives_503_and_a_fresh_pool():
    async def scenario():
        jobs = Jobs(workers=1, queue=1, inline_cost=0)
        try:
            running = asyncio.ensure_future(jobs.run(Job(time.sleep, 30.0, 1)))
            pids = await worker_pids(jobs)
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            with pytest.raises(Busy, match="worker process stopped"):
                await running
            assert await jobs.run(Job(time.sleep, 0.0, 1)) == b"null"
            assert not set(await worker_pids(jobs)) & set(pids)
        finally:
            jobs.close()

    run(scenario())


def test_a_job_past_its_time_budget_is_stopped_with_a_clear_answer():
    async def scenario():
        jobs = Jobs(workers=1, queue=0, inline_cost=0, time_budget=0.5)
        try:
            with pytest.raises(Busy, match=r"stopped after its time budget of 0\.5 s"):
                await jobs.run(Job(time.sleep, 600.0, 1))
            assert jobs.in_flight == 0
            assert await jobs.run(Job(time.sleep, 0.0, 1)) == b"null"  # a fresh worker
        finally:
            jobs.close()

    run(scenario())


def test_a_train_request_past_the_time_budget_answers_503_naming_it(make_client, mazur_step):
    client = make_client(job_time_budget=0.001, inline_cost=0)
    r = client.post("/api/v1/train", json={**mazur_step, "epochs": 1000})
    assert r.status_code == 503
    assert int(r.headers["retry-after"]) > 0
    assert "time budget of 0.001 s (job_time_budget)" in r.json()["detail"]


def test_a_memory_error_in_a_worker_or_inline_answers_busy_never_a_crash():
    async def scenario():
        jobs = Jobs(workers=1, queue=0, inline_cost=10)
        try:
            with pytest.raises(Busy, match="ran out of memory"):  # 8 PiB: MemoryError at once
                await jobs.run(Job(numpy.zeros, 2**50, 100))
            with pytest.raises(Busy, match="ran out of memory"):
                await jobs.run(Job(numpy.zeros, 2**50, 1))  # on the event loop
            assert await jobs.run(Job(time.sleep, 0.0, 100)) == b"null"
        finally:
            jobs.close()

    run(scenario())


def test_a_job_whose_clients_all_left_is_stopped_and_frees_its_slot():
    async def scenario():
        jobs = Jobs(workers=1, queue=0, inline_cost=0, cache_entries=8)
        try:
            left = [asyncio.Event(), asyncio.Event()]
            waiting = [
                asyncio.ensure_future(
                    jobs.answer((b"k",), lambda: Job(time.sleep, 600.0, 1), event.wait)
                )
                for event in left
            ]
            (pid,) = await worker_pids(jobs)
            left[0].set()  # one client hangs up: the other still waits
            assert await waiting[0] is None
            assert process_running(pid)
            left[1].set()  # the last one hangs up: the job is stopped
            assert await waiting[1] is None
            while process_running(pid):
                await asyncio.sleep(0.01)
            assert jobs.in_flight == 0
            assert await jobs.run(Job(time.sleep, 0.0, 1)) == b"null"  # the only slot is free
        finally:
            jobs.close()

    run(scenario())


async def worker_pids(jobs) -> list[int]:
    """The pool's worker processes, once one has started and taken its job."""
    while not any(worker._ready for worker in jobs._all):
        await asyncio.sleep(0.01)
    return [worker.process.pid for worker in jobs._all]


def process_running(pid: int) -> bool:
    """Whether pid is a live process (not gone, not a zombie), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_503_carries_retry_after_and_a_message(client, mazur_step):
    jobs = client.app.state.jobs
    jobs.in_flight = jobs.capacity  # every slot taken
    heavy = {**mazur_step, "epochs": 100_000, "record_every": 100_000}  # above inline_cost
    r = client.post("/api/v1/train", json=heavy)
    assert r.status_code == 503
    assert int(r.headers["retry-after"]) > 0
    assert "busy" in r.json()["detail"]
    small = client.post("/api/v1/step", json=mazur_step)  # small work never queues
    assert small.status_code == 200


def test_steps_are_answered_while_a_heavy_training_job_runs(client):
    deep = client.get("/api/v1/presets/deep").json()
    heavy = {
        "network": deep["network"], "inputs": deep["inputs"], "targets": deep["targets"],
        "learning_rate": 0.01, "epochs": 3000,
    }  # fmt: skip
    done = threading.Event()

    def train():
        assert client.post("/api/v1/train", json=heavy).status_code == 200
        done.set()

    worker = threading.Thread(target=train)
    worker.start()
    jobs = client.app.state.jobs
    while jobs.in_flight == 0 and not done.is_set():  # until the job is in the pool
        time.sleep(0.01)
    answered_during = 0
    while not done.is_set() and answered_during < 20:
        batch = {k: deep[k][:30] for k in ("inputs", "targets")}  # as the page sends it
        step = client.post(
            "/api/v1/step", json={"network": deep["network"], **batch, "learning_rate": 0.03}
        )
        assert step.status_code == 200
        answered_during += not done.is_set()
    worker.join()
    assert answered_during == 20  # all answered before the heavy job finished


def test_identical_requests_are_computed_once():
    calls = []

    def answer(request):
        calls.append(request)
        return {"echo": request}

    async def scenario():
        jobs = Jobs(workers=1, queue=1, inline_cost=10, cache_entries=2)
        results = [await jobs.answer((b"same",), lambda: Job(answer, "req", 0)) for _ in range(3)]
        assert results == [b'{"echo":"req"}'] * 3 and calls == ["req"]
        for body in (b"a", b"b", b"c"):  # the oldest of a full cache goes first
            await jobs.answer((body,), lambda: Job(answer, "req", 0))
        await jobs.answer((b"same",), lambda: Job(answer, "req", 0))
        assert len(calls) == 5

    run(scenario())


def test_the_cache_keeps_no_large_answers_and_stays_within_its_bytes(monkeypatch):
    import app.jobs

    monkeypatch.setattr(app.jobs, "MAX_CACHED_ANSWER", 100)
    monkeypatch.setattr(app.jobs, "MAX_CACHE_BYTES", 200)
    calls = []

    def answer(size):
        calls.append(size)
        return "x" * size

    async def scenario():
        jobs = Jobs(workers=1, queue=1, inline_cost=10, cache_entries=100)
        for body, size in ((b"big", 200), (b"big", 200)):  # too large to keep
            await jobs.answer((body,), lambda s=size: Job(answer, s, 0))
        assert calls == [200, 200]
        for i in range(5):  # body and JSON answer: only the last two fit in 200 bytes
            await jobs.answer((b"%d" % i,), lambda: Job(answer, 80, 0))
        assert list(jobs._cache) == [(b"%d" % i,) for i in (3, 4)]
        assert jobs._cache_bytes == 2 * (len(b"3") + len(json.dumps("x" * 80)))

    run(scenario())


def test_identical_heavy_requests_in_flight_share_one_computation(tmp_path):
    log = tmp_path / "calls"

    async def scenario():
        jobs = Jobs(workers=1, queue=0, inline_cost=0, cache_entries=8)
        try:
            # with queue 0 a second computation would be refused with Busy
            same = [
                jobs.answer((b"body",), lambda: Job(append_line, str(log), 1)) for _ in range(5)
            ]
            return await asyncio.gather(*same)
        finally:
            jobs.close()

    assert run(scenario()) == [b"null"] * 5
    assert log.read_text().count("\n") == 1


def test_a_client_that_leaves_does_not_take_the_answer_from_the_others(tmp_path):
    log = tmp_path / "calls"

    async def scenario():
        jobs = Jobs(workers=1, queue=1, inline_cost=0, cache_entries=8)
        try:
            first, second = (
                asyncio.ensure_future(jobs.answer((b"b",), lambda: Job(append_line, str(log), 1)))
                for _ in range(2)
            )
            await asyncio.sleep(0.1)
            first.cancel()  # the first client hangs up
            return await second
        finally:
            jobs.close()

    assert run(scenario()) == b"null"
    assert log.read_text().count("\n") == 1


def test_errors_are_not_cached(client, mazur_step):
    bad = {**mazur_step, "learning_rate": -1}
    for _ in range(2):
        assert client.post("/api/v1/step", json=bad).status_code == 422


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API may hold this thread's loop."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def append_line(path: str) -> None:
    """Runs in a worker process: leaves a trace of each computation."""
    time.sleep(0.3)
    with open(path, "a") as f:
        f.write("computed\n")


def test_the_pages_requests_run_inline_and_megabyte_answers_do_not(client):
    deep = client.get("/api/v1/presets/deep").json()
    net, data = deep["network"], {k: deep[k] for k in ("inputs", "targets")}
    batch = {k: v[:30] for k, v in data.items()}  # the page steps through 30 samples
    endpoints = PostEndpoints(None, jobs=client.app.state.jobs)

    def inline(path, **body) -> bool:
        job = endpoints.plan(f"/api/v1/{path}", json.dumps({"network": net, **body}).encode())
        return job.ns <= get_settings().inline_cost

    # what the page asks for on each step of the deep preset: a few ms each
    assert inline("step", **batch, learning_rate=0.03)
    assert inline("forward", **data, trace=False)
    assert inline("predict", resolution=40, hidden=False)
    assert inline("predict", resolution=20, hidden=True)
    # cheap to compute, but megabytes to write out: on the event loop they would hold up
    # everybody's steps for 10 to 20 ms each
    assert not inline("step", **data, learning_rate=0.03)
    assert not inline("forward", **{k: v * 4 for k, v in data.items()})
    assert not inline("predict", resolution=40, hidden=True)


def test_a_big_dataset_is_made_in_a_worker_and_kept(client):
    jobs = client.app.state.jobs
    small = client.get("/api/v1/datasets/spiral", params={"n": 100})
    assert small.status_code == 200
    assert not jobs._all  # a hundred samples: made on the event loop
    big = client.get("/api/v1/datasets/spiral", params={"n": 9000, "test": 1000})
    assert big.status_code == 200
    assert len(big.json()["inputs"]) == 9000 and len(big.json()["test_inputs"]) == 1000
    assert jobs._all  # ten thousand: made in a worker, the event loop free meanwhile
    assert client.get("/api/v1/datasets/spiral", params={"n": 9000, "test": 1000}).content == (
        big.content
    )
    assert len(jobs._cache) == 2  # both kept: the same query costs nothing the second time


def test_a_big_dataset_when_heavy_work_is_queued_full_is_503(client):
    jobs = client.app.state.jobs
    jobs.in_flight = jobs.capacity  # every slot taken
    r = client.get("/api/v1/datasets/spiral", params={"n": 10000})
    assert r.status_code == 503
    assert int(r.headers["retry-after"]) > 0
    assert "busy" in r.json()["detail"]
    assert client.get("/api/v1/datasets/spiral", params={"n": 100}).status_code == 200


def test_a_big_body_is_parsed_and_checked_in_a_worker(client):
    jobs = client.app.state.jobs
    net = {"layer_sizes": [2, 1], "activations": ["sigmoid"]}
    rows = {"inputs": [[0.123456789, -0.987654321]] * 9000, "targets": [[0.5]] * 9000}
    body = {"network": net, **rows, "trace": False}
    r = client.post("/api/v1/forward", json=body)  # 400 KB: 10 ms of parsing
    assert r.status_code == 200
    assert len(r.json()["outputs"]) == 9000
    assert jobs._all  # parsed, checked and answered in a worker
    bad = client.post("/api/v1/forward", json=body | {"trace": "yes"})
    assert bad.status_code == 422  # the worker's 422, as the event loop would give it
    assert bad.json()["detail"][0]["loc"] == ["body", "trace"]
