"""A `Server-Timing` header on every response of the web processes P6 starts (bench only).

In milliseconds, from the top of the sync middleware chain to the response: `app` the wall
time, `cpu` the request thread's CPU, `runq` its time runnable but waiting for a core (the
kernel's schedstat: other processes had the CPU), `db` the wall time inside database calls
(SQLite's busy waits for the write lock included). What is left of `app` is waiting off the
CPU for something else: another thread's turn at the interpreter lock, I/O. `pid` names the web
process that answered (the warm-up reaches every one).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponseBase

SCHEDSTAT = Path("/proc/thread-self/schedstat")


def _runqueue_ns() -> int:
    try:
        return int(SCHEDSTAT.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


class _DatabaseTime:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(*args)
        finally:
            self.seconds += time.perf_counter() - began


class ServerTiming:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        database = _DatabaseTime()
        wall, cpu, runq = time.perf_counter(), time.thread_time(), _runqueue_ns()
        with connection.execute_wrapper(database):
            response = self.get_response(request)
        figures = {
            "app": (time.perf_counter() - wall) * 1000,
            "cpu": (time.thread_time() - cpu) * 1000,
            "runq": (_runqueue_ns() - runq) / 1e6,
            "db": database.seconds * 1000,
        }
        timing = ", ".join(f"{name};dur={ms:.1f}" for name, ms in figures.items())
        response["Server-Timing"] = f'{timing}, pid;desc="{os.getpid()}"'
        return response
