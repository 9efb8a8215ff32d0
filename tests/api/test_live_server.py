"""Against the real server over real sockets: body limits before the body is read."""

import socket

import pytest

from tests.live import running_server

HEAD = "POST /api/v1/step HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def server():
    with running_server(env={"BACKPROP_VIZ_MAX_BODY_BYTES": "1000"}) as url:
        yield url.rsplit(":", 1)[1]


def exchange(port, head, chunks=()) -> str:
    """Send the head and some body chunks (never the end of the body); return the response."""
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as conn:
        conn.sendall(head.encode())
        for part in chunks:
            conn.sendall(part)
        received = b""
        while chunk := conn.recv(65536):  # the 413 closes the connection
            received += chunk
        return received.decode()


def test_an_announced_oversized_body_is_refused_before_it_is_sent(server):
    response = exchange(server, HEAD + "Content-Length: 50000000\r\n\r\n")
    assert response.startswith("HTTP/1.1 413")
    assert "the limit is 1000 bytes" in response


def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(server):
    chunk = b"3e8\r\n" + b" " * 1000 + b"\r\n"  # 1000 bytes a chunk; the body never ends
    response = exchange(server, HEAD + "Transfer-Encoding: chunked\r\n\r\n", [chunk, chunk])
    assert response.startswith("HTTP/1.1 413")
