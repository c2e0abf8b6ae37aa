"""A `Server-Timing` header on every response of the web processes P6 starts (bench only).

`app` is the wall time from the top of the sync middleware chain to the response, `cpu` the
request thread's CPU meanwhile, both in milliseconds: what the web process spent on the page,
against what the client waited; `pid` names the web process that answered (the warm-up reaches
every one). The gap is the web process's queue (its loop, its threads'
turns at the interpreter lock, CPU given to other processes) and the client's own delays.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class ServerTiming:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        wall, cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        app_ms = (time.perf_counter() - wall) * 1000
        cpu_ms = (time.thread_time() - cpu) * 1000
        response["Server-Timing"] = (
            f'app;dur={app_ms:.1f}, cpu;dur={cpu_ms:.1f}, pid;desc="{os.getpid()}"'
        )
        return response
