"""uvicorn's HTTP protocol with the deadlines uvicorn lacks, for slow clients.

uvicorn (h11 or httptools) times out only idle keep-alive connections, and only once a
response has been sent (timeout_keep_alive, 5 s, restarted by every byte that arrives): a
client that trickles a request's headers or body, a byte every few seconds, or that stops
reading a large answer, holds its connection and the answer's memory for ever. ASGI
middleware cannot see a request before its headers are complete, and cannot abort a
connection, so the deadlines live here, at the protocol level:

- request_timeout (20 s): a request must arrive whole, headers and body, within this many
  seconds of the connection opening or of the previous answer. Else the client gets 408 and
  the connection closes (a request already partly answered is aborted instead).
- write_timeout (20 s): an answer that the client stops reading for this many seconds is
  dropped: the connection is aborted and the bytes waiting for it are freed.

`backprop-viz` serves with HttpProtocol; `uvicorn app.main:app --http app.server:HttpProtocol`
and gunicorn's `-k app.gunicorn_worker.UvicornWorker` too (see the README, "Deployment").
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from .config import get_settings


class Deadlines:
    """Adds request_timeout and write_timeout to a uvicorn HTTP protocol class."""

    _request_timer = _write_timer = _previous = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc) -> None:
        for timer in (self._request_timer, self._write_timer):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def pause_writing(self) -> None:  # the client is not reading fast enough
        super().pause_writing()
        if self._write_timer is None:
            seconds = get_settings().write_timeout
            self._write_timer = self.loop.call_later(seconds, self._abandoned)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _arm(self) -> None:
        """Start the clock for the next request."""
        if self._request_timer is not None:
            self._request_timer.cancel()
        self._previous = self.cycle  # the request answered last, if any
        seconds = get_settings().request_timeout
        self._request_timer = self.loop.call_later(seconds, self._late, seconds)

    def _late(self, seconds: float) -> None:
        self._request_timer = None
        cycle = self.cycle
        started = cycle is not None and cycle is not self._previous
        if started and not cycle.more_body:
            return  # it arrived whole and is being answered
        if self.transport.is_closing():
            return
        if not started or not (cycle.response_started or getattr(self, "pipeline", None)):
            detail = f"the request did not arrive whole within {seconds:g} s (request_timeout)"
            body = json.dumps({"detail": detail}).encode()
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
            )
            self.transport.close()
        else:
            self.transport.abort()

    def _abandoned(self) -> None:
        self._write_timer = None
        self.transport.abort()  # frees what waits to be written: close() would wait for it


class HttpProtocol(Deadlines, AutoHTTPProtocol):
    """uvicorn's default HTTP/1.1 protocol (httptools, else h11), with the deadlines."""
