"""The HTTP connections of ``searchkz serve``: uvicorn's HTTP/1.1 protocol (httptools) with two
rules it lacks.

* **A request must arrive in time.**  uvicorn closes a connection idle between requests
  (``timeout_keep_alive``) but waits forever for a request that has begun and not ended,
  and for the first one on a new connection: a client that connects and sends nothing, or
  half a request, or a body a byte at a time, holds a connection and its file descriptor
  for good, and enough of them stop the server accepting anyone.  Here a connection has
  :data:`REQUEST_TIMEOUT` seconds from when it opens, and from the first byte of each
  later request, to deliver the whole request; then it is closed (after the response, if
  one is being written).
* **A malformed request is answered as the API answers** (``{"error": …, "status": 400}``,
  JSON), not with uvicorn's plain-text line: a request line with raw UTF-8 (``?q=қоғам``
  typed into a hand-made client; browsers percent-encode it) or a URL of some 64 KB.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REQUEST_TIMEOUT = 10.0  # seconds to deliver a whole request (browsers send theirs at once)
_BAD_REQUEST = json.dumps({"error": "malformed or oversized HTTP request (a URL is percent-encoded ASCII)",
                           "status": 400}).encode("ascii")


class GuardedProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` with a deadline for each request and JSON 400s (module docstring)."""

    _deadline = None  # the timer of the request being received (asyncio.TimerHandle)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(REQUEST_TIMEOUT, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # a response is being written: close after it
            self.flow.pause_reading()
        elif not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(_BAD_REQUEST),
                 b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + _BAD_REQUEST)
        self.transport.close()
