"""Start the real server (uvicorn, app.main:app) on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(launcher: str, port: int, workers: int) -> list[str]:
    """How each supported setup starts the app on 127.0.0.1:port with `workers` processes."""
    if launcher == "backprop-viz":  # the console script is `python -m app`
        return [sys.executable, "-m", "app", "--port", str(port), "--workers", str(workers)]
    if launcher == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
                "--port", str(port), "--workers", str(workers)]  # fmt: skip
    if launcher == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "app.main:app", "-k",
                "uvicorn_worker.UvicornWorker", "-b", f"127.0.0.1:{port}", "-w", str(workers)]  # fmt: skip
    raise ValueError(f"unknown launcher {launcher!r}")


@contextlib.contextmanager
def running_server(
    *, workers: int = 1, env: dict | None = None, timeout: float = 30.0,
    launcher: str = "backprop-viz",
):  # fmt: skip
    """Yield the base URL of a server started by `launcher` (see command()). Unless told
    otherwise, its lessons live in a temporary directory (a benchmark's are not kept)."""
    port = free_port()
    data = tempfile.TemporaryDirectory(prefix="backprop-viz-data-")
    proc = subprocess.Popen(
        command(launcher, port, workers),
        cwd=ROOT, env={"BACKPROP_VIZ_DATA_DIR": data.name, **os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()
        data.cleanup()


def answering_workers(client: httpx.Client, expected: int, within: float = 120) -> set[str]:
    """The worker processes seen answering /healthz, once `expected` of them have (a worker
    that is still starting answers nothing yet), or when `within` seconds have passed."""
    seen: set[str] = set()
    deadline = time.monotonic() + within
    while len(seen) < expected and time.monotonic() < deadline:
        seen.add(client.get("/healthz").headers["x-backprop-worker"])
    return seen
