"""A loopback JSON webhook: what Apprise's json:// URLs post, kept for the test to read."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Webhook:
    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self._lock = threading.Lock()

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def keep(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.received.append(body)

    def wait_for(self, title_start: str, timeout: float = 15.0) -> dict[str, Any]:
        """The first message whose title starts with `title_start`, once it has arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for body in self.received:
                    if str(body.get("title", "")).startswith(title_start):
                        return body
            time.sleep(0.05)
        titles = [b.get("title") for b in self.received]
        raise AssertionError(f"no message titled {title_start!r}; received {titles}")


@contextmanager
def webhook() -> Iterator[Webhook]:
    holder: dict[str, Webhook] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the standard library's name
            length = int(self.headers.get("Content-Length", "0"))
            hook = holder["hook"]
            hook.keep(json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["hook"] = Webhook(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["hook"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
