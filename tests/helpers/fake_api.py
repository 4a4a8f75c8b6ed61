"""A small real HTTP server on 127.0.0.1 for faking a JSON API, scriptable per test.

Each request is recorded (method, path, headers, parsed body). Replies are taken from a queue the test
fills (``server.script(Reply(...))``); when the queue is empty the API's default handler answers.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any  # parsed JSON, or None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    """A scripted answer. ``body`` may be a dict (sent as JSON), str or bytes (sent as is).

    ``delay`` holds the answer back that many seconds (or until the server closes), for time-outs.
    ``handler`` computes the answer from the request instead of the fixed fields.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering (a connection reset)
    handler: Callable[[Recorded], Reply] | None = None


DefaultHandler = Callable[[Recorded], Reply]


class FakeAPIServer:
    def __init__(self, default: DefaultHandler) -> None:
        self.default = default
        self.requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="fake-api", daemon=True
        )
        self._thread.start()

    @property
    def root_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The base URL as the OpenAI SDK wants it (the Anthropic SDK wants ``root_url``)."""
        return f"{self.root_url}/v1"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order, before falling back to the default."""
        with self._lock:
            self._script.extend(replies)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()  # releases delayed replies at once
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def _next_reply(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            reply = self._script.popleft() if self._script else None
        if reply is None:
            return self.default(request)
        if reply.handler is not None:
            return reply.handler(request)
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = server._next_reply(Recorded("POST", self.path, headers, raw, body))
                if reply.drop or (reply.delay and server._closing.wait(reply.delay)):
                    self.close_connection = True
                    return
                payload = reply.body
                if isinstance(payload, (dict, list)):
                    data = json.dumps(payload).encode()
                    content_type = "application/json"
                else:
                    data = payload.encode() if isinstance(payload, str) else (payload or b"")
                    content_type = "application/json"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (its time-out)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler
