"""Serve the real ASGI application under uvicorn inside the test process.

pytest-django's live_server is a WSGI server; the app is async (SSE, streamed ZIPs), so browser and
HTTP tests run it the way production does.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn


@dataclass
class AsgiServer:
    url: str
    _server: uvicorn.Server
    _thread: threading.Thread

    @classmethod
    def start(cls) -> AsgiServer:
        from spotifydl.asgi import application

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(application, lifespan="off", log_level="warning", access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return cls(url=f"http://127.0.0.1:{port}", _server=server, _thread=thread)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
