"""What publishing and reading lessons costs on a real server, beside /healthz: one client
in sequence, then 16 clients publishing at once into one store from two worker processes.

    python benchmarks/lessons.py                      # SQLite in a temporary directory
    python benchmarks/lessons.py --database-url postgresql://user@host/db
    python benchmarks/lessons.py --quick              # a smoke run

Medians of sequential requests on one keep-alive connection; the concurrent part sends
every request on a new connection, so that the kernel spreads them over both workers, and
counts the requests that did not answer 201 (there should be none).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.lessons.examples import MAZUR_LESSON  # noqa: E402
from tests.live import answering_workers, running_server  # noqa: E402

BODY = {"lesson": MAZUR_LESSON}


def median_us(client: httpx.Client, send, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = send(client)
        times.append(time.perf_counter() - start)
        assert response.status_code < 300, response.text
    return statistics.median(times) * 1e6


def sequential(url: str, n: int) -> None:
    with httpx.Client(base_url=url) as client:
        lesson = client.post("/api/v1/lessons", json=BODY).json()["id"]
        for _ in range(2):  # the second round is the one reported: warm
            health = median_us(client, lambda c: c.get("/healthz"), n)
            post = median_us(client, lambda c: c.post("/api/v1/lessons", json=BODY), n)
            get = median_us(client, lambda c: c.get(f"/api/v1/lessons/{lesson}"), n)
    print(f"  GET /healthz                 {health:8.0f} us")
    print(f"  POST /api/v1/lessons         {post:8.0f} us   ratio to healthz {post / health:.2f}")
    print(f"  GET /api/v1/lessons/{{id}}     {get:8.0f} us   ratio to healthz {get / health:.2f}")


def concurrent(url: str, n: int) -> None:
    with (
        httpx.Client(base_url=url, headers={"connection": "close"}, timeout=60) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        assert len(answering_workers(client, 2)) == 2
        start = time.perf_counter()
        statuses = list(pool.map(lambda _: client.post("/api/v1/lessons", json=BODY).status_code,
                                 range(n)))  # fmt: skip
        elapsed = time.perf_counter() - start
    errors = sum(status != 201 for status in statuses)
    print(f"  {n} POSTs from 16 threads: {n / elapsed:.0f} lessons/s, errors {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="", help="default: SQLite in a temporary directory"
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, posts = (50, 100) if args.quick else (500, 2000)
    with tempfile.TemporaryDirectory() as data:
        env = {"BACKPROP_VIZ_DATA_DIR": data, "BACKPROP_VIZ_LESSON_RATE": "0"}
        if args.database_url:
            env["BACKPROP_VIZ_DATABASE_URL"] = args.database_url
        store = "PostgreSQL" if args.database_url else "SQLite"
        with running_server(env=env) as url:
            print(f"one worker, {store}, one client in sequence, medians of {n}:")
            sequential(url, n)
        with running_server(workers=2, env=env) as url:
            print(f"two workers, {store}:")
            concurrent(url, posts)


if __name__ == "__main__":
    main()
