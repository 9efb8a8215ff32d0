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
                "--port", str(port), "--workers", str(workers),
                "--http", "app.server:HttpProtocol"]  # fmt: skip
    if launcher == "loop-probe":  # benchmarks/load.py: the event loop's callbacks timed
        return [sys.executable, str(ROOT / "benchmarks" / "loop_probe.py"), "--port", str(port)]
    if launcher == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "app.main:app", "-k",
                "app.gunicorn_worker.UvicornWorker", "-b", f"127.0.0.1:{port}",
                "-w", str(workers)]  # fmt: skip
    raise ValueError(f"unknown launcher {launcher!r}")


@contextlib.contextmanager
def running_server(
    *, workers: int = 1, env: dict | None = None, timeout: float = 30.0,
    launcher: str = "backprop-viz", root: Path = ROOT,
):  # fmt: skip
    """Yield the base URL of a server started by `launcher` (see command()) from root."""
    with serving(workers=workers, env=env, timeout=timeout, launcher=launcher, root=root) as (
        url,
        _,
    ):
        yield url


@contextlib.contextmanager
def serving(
    *, workers: int = 1, env: dict | None = None, timeout: float = 30.0,
    launcher: str = "backprop-viz", root: Path = ROOT,
):  # fmt: skip
    """Yield (base URL, the server's Popen) of a server started by `launcher`; stopped
    (SIGTERM, then SIGKILL after 10 s) at the end unless it has ended already. Unless told
    otherwise, its lessons live in a temporary directory (a benchmark's are not kept)."""
    port = free_port()
    data = tempfile.TemporaryDirectory(prefix="backprop-viz-data-")
    proc = subprocess.Popen(
        command(launcher, port, workers),
        cwd=root, env={"BACKPROP_VIZ_DATA_DIR": data.name, **os.environ, **(env or {})},
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
        yield url, proc
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


def descendants(pid: int) -> set[int]:
    """Every live process below pid (children, their children...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            children.setdefault(stat[1], []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found and running(child):
                found.add(child)
                todo.append(child)
    return found


def running(pid: int) -> bool:
    """Whether pid is a process that has not ended (a zombie has ended)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return fields[0], int(fields[1])
