"""Two helpers for the pure-ASGI parts (the body limit and the POST endpoints)."""

from __future__ import annotations


async def read_body(receive) -> bytes | None:
    """The whole request body, or None when the client went away before sending it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def wait_until_gone(receive) -> None:
    """Return when the client disconnects (call it once the whole body has been read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def send_json(send, status: int, body: bytes, headers: list | tuple = ()) -> None:
    """A complete response whose body is JSON already."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
