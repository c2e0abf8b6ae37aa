"""A tiny HTTP layer on the standard library: requests, responses, routing, a threaded server.

The sandbox must speak real HTTP/1.1 (keep-alive, Range, reason phrases, abrupt closes) so that
httpx, requests, spotipy and yt-dlp talk to it exactly as they would to the real services.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import socketserver
import struct
import sys
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

log = logging.getLogger("sandbox.http")


class Sink(Protocol):
    """Where a streaming body writes (the socket's file)."""

    def write(self, data: bytes, /) -> object: ...


class CloseConnection(Exception):
    """Raised by a streaming body to drop the connection mid-body (a truncated answer)."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    route: str = ""
    client: str = ""  # the peer's IP address: YouTube's limits are per signed-out session

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def form(self) -> dict[str, str]:
        pairs = urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return dict(pairs)

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reason: str | None = None
    # Writes the body itself after the headers (media streaming); must set Content-Length.
    stream: Callable[[Sink], None] | None = None
    # Close the socket with a TCP reset instead of answering.
    reset: bool = False


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(obj, ensure_ascii=False).encode()
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return Response(status, body, all_headers)


def html_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})


def redirect(location: str, status: int = 303) -> Response:
    return Response(status, b"", {"Location": location})


Handler = Callable[[Request], Response]
App = Callable[[Request], Response]


@dataclass
class _Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler


class Router:
    """Maps (method, path) to a handler; `{name}` in a template matches one path segment."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self._routes.append(_Route(method, template, re.compile(f"^{pattern}$"), handler))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str], str] | int:
        """The handler, path params and template; or 404/405 when nothing fits."""
        found_path = False
        for route in self._routes:
            match = route.regex.match(path)
            if not match:
                continue
            found_path = True
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
                return route.handler, params, route.template
        return 405 if found_path else 404


def parse_request(handler: BaseHTTPRequestHandler, body: bytes) -> Request:
    split = urllib.parse.urlsplit(handler.path)
    query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
    client = str(handler.client_address[0]) if handler.client_address else ""
    return Request(handler.command, split.path, query, handler.headers, body, client=client)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sandbox"
    sys_version = ""
    timeout = 30  # idle keep-alive connections must not pin threads forever
    # Headers and body go out in two writes: with Nagle on, delayed ACKs add ~40 ms per answer.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = parse_request(self, body)
        try:
            response = self.server.app(request)
        except Exception:
            log.exception("sandbox handler crashed on %s %s", self.command, self.path)
            response = json_response({"error": {"status": 500, "message": "sandbox crash"}}, 500)
        self._send(response)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    def _send(self, response: Response) -> None:
        if response.reset:
            self._reset_connection()
            return
        self.send_response(response.status, response.reason)
        headers = dict(response.headers)
        if response.stream is None:
            headers["Content-Length"] = str(len(response.body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            if response.stream is not None:
                response.stream(self.wfile)
            else:
                self.wfile.write(response.body)
        except CloseConnection:
            self._hang_up()
        except (BrokenPipeError, ConnectionResetError):
            # The client went away mid-body (yt-dlp's probe request does this on purpose).
            self.close_connection = True

    def _hang_up(self) -> None:
        # A clean close (FIN) mid-body: the client sees a body shorter than Content-Length.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)

    def _reset_connection(self) -> None:
        # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset".
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a DNS look-up that can stall offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up on purpose (yt-dlp's probe, truncation tests): not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s went away", client_address)
            return
        log.exception("sandbox connection from %s failed", client_address)

    def drop_open_connections(self) -> None:
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class HttpServer:
    """One threaded HTTP server on its own port, serving `app` until stop()."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), app)
        # A short poll interval keeps stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-http-{self.port}",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        if host in ("0.0.0.0", ""):  # noqa: S104 - bound to every interface: advertise loopback
            host = "127.0.0.1"
        return f"http://{host}:{self.port}"

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def drop_connections(self) -> None:
        """Close every open connection, as a server does with idle keep-alive ones."""
        self._server.drop_open_connections()

    def stop(self) -> None:
        self._server.shutdown()
        # Before server_close(), which waits for every connection's thread: a client keeping its
        # connection alive (a browser, a pooled client) would otherwise hold stop() for ever.
        self._server.drop_open_connections()
        self._server.server_close()
        self._thread.join(timeout=5)
