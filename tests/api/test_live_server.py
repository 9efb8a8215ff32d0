"""Against the real server over real sockets: body limits before the body is read, slow
clients cut off, clients that hang up, and every process ending with the server."""

import contextlib
import json
import os
import re
import select
import signal
import socket
import threading
import time

import httpx
import pytest

from app.engine.data import preset
from tests.live import descendants, running_server, serving
from tests.live import running as running_

HEAD = b"POST /api/v1/step HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def server():
    with running_server(env={"BACKPROP_VIZ_MAX_BODY_BYTES": "1000"}) as url:
        yield url.rsplit(":", 1)[1]


def exchange(port, head, chunks=()) -> str:
    """Send the head and some body chunks (never the end of the body); return the response."""
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as conn:
        conn.sendall(head)
        for part in chunks:
            conn.sendall(part)
        received = b""
        while chunk := conn.recv(65536):  # the 413 closes the connection
            received += chunk
        return received.decode()


def test_an_announced_oversized_body_is_refused_before_it_is_sent(server):
    response = exchange(server, HEAD + b"Content-Length: 50000000\r\n\r\n")
    assert response.startswith("HTTP/1.1 413")
    assert "the limit is 1000 bytes" in response


def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(server):
    chunk = b"3e8\r\n" + b" " * 1000 + b"\r\n"  # 1000 bytes a chunk; the body never ends
    response = exchange(server, HEAD + b"Transfer-Encoding: chunked\r\n\r\n", [chunk, chunk])
    assert response.startswith("HTTP/1.1 413")


# --- every process the server starts ends with it ------------------------------------------


def heavy(seed: int, epochs: int = 300) -> dict:
    """A training job past inline_cost (the deep preset, full batch): it runs in a worker."""
    deep = preset("deep")
    return {"network": deep["network"] | {"seed": seed}, "inputs": deep["inputs"],
            "targets": deep["targets"], "learning_rate": 0.01, "epochs": epochs,
            "record_every": epochs}  # fmt: skip


def until(condition, what: str, guard: float = 60.0):
    """Wait until condition() is true; fail after `guard` seconds (a guard, not a measurement)."""
    deadline = time.monotonic() + guard
    while not (result := condition()):
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)
    return result


def post_or_fail(url: str, body: dict):
    try:
        return httpx.post(url, json=body, timeout=60).status_code
    except httpx.HTTPError as e:
        return repr(e)


def cpu_seconds(pids) -> float:
    """User and system CPU time of these processes so far."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pool_workers(pid: int) -> set[int]:
    return {child for child in descendants(pid) if b"app.worker" in cmdline(child)}


def cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


@pytest.mark.parametrize("workers", [1, 2])
def test_after_sigterm_no_process_the_server_started_outlives_it(workers):
    with serving(workers=workers, env={"BACKPROP_VIZ_HEAVY_WORKERS": "1"}) as (url, server):
        # heavy jobs on new connections until every uvicorn worker has its pool
        def every_worker_has_a_pool():
            httpx.post(f"{url}/api/v1/train", json=heavy(len(pool_workers(server.pid))), timeout=60)
            return len(pool_workers(server.pid)) == workers

        until(every_worker_has_a_pool, "a pool in each worker")
        answers = []
        running = threading.Thread(  # a job still running when the signal comes
            target=lambda: answers.append(post_or_fail(f"{url}/api/v1/train", heavy(99, 3000)))
        )
        before = cpu_seconds(pool_workers(server.pid))
        running.start()
        until(lambda: cpu_seconds(pool_workers(server.pid)) > before + 0.1, "the job runs")
        started = descendants(server.pid)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        running.join()
    assert answers == [200]  # the server finished it before it stopped (within 10 s)
    assert len(started) >= workers
    until(lambda: not any(running_(pid) for pid in started), "every process ended")


def test_a_killed_server_worker_takes_its_pool_with_it():
    with serving(workers=2, env={"BACKPROP_VIZ_HEAVY_WORKERS": "1"}) as (url, server):

        def some_worker_has_a_pool():
            httpx.post(f"{url}/api/v1/train", json=heavy(7), timeout=60)
            return pool_workers(server.pid)

        (pool, *_) = until(some_worker_has_a_pool, "a pool")
        parent = stat_parent(pool)
        os.kill(parent, signal.SIGKILL)  # the uvicorn worker dies without any cleanup
        until(lambda: not running_(pool), "its pool ended with it")
        started = descendants(server.pid)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    until(lambda: not any(running_(pid) for pid in started), "every process ended")


def stat_parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


# --- a client that hangs up cancels its job -----------------------------------------------


def test_clients_that_hang_up_free_the_heavy_queue_for_others():
    env = {
        "BACKPROP_VIZ_HEAVY_WORKERS": "1",
        "BACKPROP_VIZ_HEAVY_QUEUE": "4",
        "BACKPROP_VIZ_MAX_COST": str(10**13),
        "BACKPROP_VIZ_JOB_TIME_BUDGET": "3600",
    }  # fmt: skip: jobs of minutes are accepted, and would fill the queue for an hour
    with running_server(env=env) as url:
        port = int(url.rsplit(":", 1)[1])
        with contextlib.ExitStack() as abandoned:
            for seed in range(5):
                body = json.dumps(heavy(seed, epochs=10**6)).encode()
                conn = abandoned.enter_context(socket.create_connection(("127.0.0.1", port)))
                head = HEAD.replace(b"step", b"train")
                conn.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            post = lambda: httpx.post(f"{url}/api/v1/train", json=heavy(42), timeout=60)  # noqa: E731
            until(lambda: post().status_code == 503, "the queue is full")
        # the five clients have given up: their sockets are closed
        answer = until(lambda: (r := post()).status_code == 200 and r, "a slot is free again")
    assert answer.json()["steps"] == 300


# --- slow clients are cut off --------------------------------------------------------------


@pytest.fixture(scope="module")
def impatient():
    """A server whose deadlines for slow clients are 1 s (20 s by default)."""
    env = {"BACKPROP_VIZ_REQUEST_TIMEOUT": "1", "BACKPROP_VIZ_WRITE_TIMEOUT": "1"}
    with serving(env=env) as (url, server):
        yield int(url.rsplit(":", 1)[1]), server


def trickle(port: int, data: bytes) -> bytes:
    """Send data a byte at a time, four times a second, until the server closes the
    connection (for at most 60 s: a guard); return what it answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        return trickle_on(conn, data)


def receive_all(conn) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := conn.recv(65536):
            received += chunk
    return received


def test_a_client_that_trickles_its_headers_is_cut_off_with_408(impatient):
    port, _ = impatient
    answer = trickle(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"request_timeout" in answer


def test_a_client_that_trickles_its_body_is_cut_off_with_408(impatient):
    port, _ = impatient
    head = HEAD + b"Content-Length: 1000\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(head + b'{"network": ')
        answer = trickle_on(conn, b"       ")
    assert answer.startswith(b"HTTP/1.1 408")


def trickle_on(conn, data: bytes) -> bytes:
    for i in range(240):
        readable, _, _ = select.select([conn], [], [], 0.25)
        if readable:
            break
        try:
            conn.sendall(data[i % len(data) : i % len(data) + 1])
        except OSError:  # the server closed the connection while we were sending
            break
    else:
        pytest.fail("the server never cut the trickling connection off")
    return receive_all(conn)


def test_a_client_that_stops_reading_its_answer_is_dropped(impatient):
    port, server = impatient
    wide = {"layer_sizes": [2, 300, 300, 1], "activations": ["tanh", "tanh", "tanh"]}
    body = json.dumps({"network": wide, "inputs": [[0.5, -0.5]] * 600}).encode()  # ~15 MB
    with socket.socket() as conn:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and it reads nothing
        conn.connect(("127.0.0.1", port))
        conn.sendall(
            HEAD.replace(b"step", b"forward") + b"Content-Length: %d\r\n\r\n" % len(body) + body
        )
        mine = conn.getsockname()[1]
        # accepted first (on a busy machine the server may not have taken the connection yet:
        # not holding it then is no drop), then dropped: it holds it 1 s (write_timeout) at least
        until(lambda: server_side_open(server.pid, mine), "the server took the connection")
        until(lambda: not server_side_open(server.pid, mine), "the server dropped the connection")
        received = receive_all(conn)
    length = int(re.search(rb"content-length: (\d+)", received).group(1))
    assert len(received.split(b"\r\n\r\n", 1)[1]) < length  # it never got the whole answer


def server_side_open(pid: int, client_port: int) -> bool:
    """Whether the server process still holds a TCP connection to this client port."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == client_port and fields[9] in inodes:
                return True
    return False
