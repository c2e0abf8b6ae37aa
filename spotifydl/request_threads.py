"""Where a web request's synchronous work runs: one thread hop per request, on a reused thread,
taking turns.

Django's ASGI handler runs each middleware's `process_request` and `process_response` in the
request's thread one call at a time, hopping between the event loop and the thread some sixteen
times for a page; `OneHopASGIHandler` runs the middleware chain the way WSGI does, in one call
(the async-only static-files middleware and the one above it stay on the loop), so a page hops
five times. Async views still run on the loop, called from that thread.

Django also gives each request a thread of its own and lets it go at the end, and with it the
thread's database connection. `ReusedThreads` lends each request a thread kept from earlier
requests instead, so on SQLite (CONN_MAX_AGE, settings.py) a thread keeps its open connection
from one request to the next rather than opening the file and reading the schema for each.
A thread serves one request at a time, as Django's do; the pool grows to the most requests in
flight at once (a progress stream holds its thread while it is open) and keeps at most
IDLE_THREADS of them waiting.

Requests of a process take turns at that work (`TakeTurns`), first come first served, instead of
running side by side: a process runs Python under one interpreter lock, so side by side they
only shared it, every page finishing as late as the last, and each of a page's SQLite steps (the
module lets the lock go for each row) waited for its turn behind the others' templates. A slow
request (an outside call) holds up the rest at most PATIENCE_S: then they run beside it. A
request that had to wait closes its connection after the answer, so the client's next one may
go to a process with less to do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from asgiref.sync import AsyncToSync, ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.http import HttpRequest, HttpResponseBase

App = Callable[[Any, Any, Any], Awaitable[None]]
Chain = Callable[[HttpRequest], Awaitable[HttpResponseBase]]

# A household's burst: P6's 40 people and 10 progress streams put 20-30 requests in flight at
# once in each of two processes; with 16 kept, every burst ended threads and the next opened
# new SQLite connections (5-11 % of the request threads' samples in a profile). Each kept thread
# holds its connection's page cache (what its queries read, at most 2 MB by SQLite's default).
IDLE_THREADS = 32
# Bench P6 (40 people and 10 progress streams on two processes; one world, in turn): the pages'
# server time p50/p99 36-47/136-174 ms taking turns one at a time, 99-213/600-1,609 side by side,
# 27-46 ms of it at the median in database calls (2 when taking turns).
AT_ONCE = 1
PATIENCE_S = 1.0


class OneHopASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain built for one thread, as under WSGI."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Built as WSGI builds it: every sync-capable middleware and the view resolution in one
        # sync function. An async-only middleware (ServeStatic) and those above it stay async,
        # which Django wraps in async_to_sync for a sync caller: unwrap it for the loop.
        super().load_middleware(is_async=False)
        chain = cast(Any, self)._middleware_chain
        if isinstance(chain, AsyncToSync):
            chain = chain.awaitable
        else:
            chain = sync_to_async(chain, thread_sensitive=True)
        self._middleware_chain = TakeTurns(chain, at_once=AT_ONCE, patience=PATIENCE_S)


class TakeTurns:
    """Runs at most `at_once` calls of `chain` at a time, in the order they came. A call that
    has waited `patience` seconds runs anyway: a slow call ahead (an outside service's answer)
    holds the others up no longer."""

    def __init__(self, chain: Chain, *, at_once: int, patience: float) -> None:
        self.chain, self.at_once, self.patience = chain, at_once, patience
        self._loop: asyncio.AbstractEventLoop | None = None
        self._turns = asyncio.Semaphore(at_once)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        turns = self._turns_here()
        waited = turns.locked()
        try:
            async with asyncio.timeout(self.patience):
                await turns.acquire()
        except TimeoutError:
            return _reconnect(await self.chain(request))
        try:
            response = await self.chain(request)
        finally:
            turns.release()
        return _reconnect(response) if waited else response

    def _turns_here(self) -> asyncio.Semaphore:
        # uvicorn runs one loop a process; a test may run the app in several, one after another
        # (a semaphore that has made a call wait belongs to that call's loop).
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._turns = loop, asyncio.Semaphore(self.at_once)
        return self._turns


def _reconnect(response: HttpResponseBase) -> HttpResponseBase:
    """Asks the client to come back on a new connection. A browser's keep-alive connection
    holds it to the process that accepted it, however busy that process gets; the web processes
    share one listening socket, and a new connection goes to the first to accept it, most often
    one with no page in hand (a busy one's loop waits for its request thread's interpreter
    lock). Bench P6: 40 clients dealt 24 and 16 to two processes kept them for the whole run,
    every slow page on the 24 side; closed after a wait, they spread 1,037 and 958."""
    response["Connection"] = "close"
    return response


class ReusedThreads:
    """An ASGI app that runs each HTTP request's thread-sensitive work on a lent thread."""

    def __init__(self, app: App, *, idle_threads: int = IDLE_THREADS) -> None:
        self.app = app
        self.idle_threads = idle_threads
        self._idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        thread = self._idle.pop() if self._idle else ThreadPoolExecutor(max_workers=1)
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.app(scope, receive, send)
        finally:
            self._give_back(thread)

    def _give_back(self, thread: ThreadPoolExecutor) -> None:
        if len(self._idle) < self.idle_threads:
            self._idle.append(thread)
            return
        # Past the idle limit the thread ends, closing its connections first (a persistent
        # SQLite connection is an open file until closed in its own thread).
        thread.submit(connections.close_all)
        thread.shutdown(wait=False)
