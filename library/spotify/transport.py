"""AsyncSpotify's HTTP: one httpx client and one concurrency semaphore per event loop, on kept
HTTP/1.1 connections handed out without a pool's bookkeeping.

The web server has one loop for its lifetime, while worker tasks and tests run several loops one
after the other, and a client (or semaphore) must never be used from a loop other than the one it
was created in.

httpx's default transport is httpcore's connection pool, which on every request and every
response's end scans all its connections (a readability poll of each idle one) under a lock:
about a third of a library read's CPU per request. The semaphore already bounds the requests in
flight, so nothing here queues or limits: a request takes an idle connection to its origin
(checked alone for having expired) or opens one, and gives it back when its answer is read.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.request import getproxies

import httpcore
import httpx
from django.conf import settings

KEEPALIVE_SECONDS = 5.0  # httpx's default: an idle connection older than this is not reused

type Origin = tuple[bytes, bytes, int]

# httpcore's errors as httpx's, the most specific first, as httpx's own transport maps them.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@dataclass
class LoopState:
    client: httpx.AsyncClient
    semaphore: asyncio.Semaphore


_loop_states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopState] = (
    weakref.WeakKeyDictionary()
)


def loop_state() -> LoopState:
    """This event loop's client and semaphore, made on first use."""
    loop = asyncio.get_running_loop()
    state = _loop_states.get(loop)
    if state is None or state.client.is_closed:
        concurrency = max(1, int(settings.SPOTIFY_CONCURRENCY))
        # A proxy set in the environment (HTTPS_PROXY...) is for httpx's own transports to
        # honour; they ignore it when given one of ours.
        kept = None if getproxies() else KeptConnections(keep=concurrency)
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(20.0, connect=10.0),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            transport=kept,  # the semaphore bounds what is in flight
            headers={"Accept": "application/json"},
        )
        state = LoopState(client=client, semaphore=asyncio.Semaphore(concurrency))
        _loop_states[loop] = state
    return state


async def close_http_client() -> None:
    """Close this loop's client; for loops that end with their work (worker tasks, commands)."""
    state = _loop_states.pop(asyncio.get_running_loop(), None)
    if state is not None:
        await state.client.aclose()


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class KeptConnections(httpx.AsyncBaseTransport):
    """Idle connections by origin, reused newest first; at most `keep` idle per origin."""

    def __init__(self, *, keep: int) -> None:
        self._keep = keep
        self._idle: dict[Origin, list[httpcore.AsyncHTTPConnection]] = {}
        self._open: set[httpcore.AsyncHTTPConnection] = set()  # idle or answering
        self._ssl_context: ssl.SSLContext | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        port = url.port or (443 if url.raw_scheme == b"https" else 80)
        origin: Origin = (url.raw_scheme, url.raw_host, port)
        connection = await self._connection(origin)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=origin[0], host=origin[1], port=port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            with _as_httpx_errors():
                answer = await connection.handle_async_request(core_request)
        except BaseException:
            await self._drop(connection)
            raise
        assert isinstance(answer.stream, AsyncIterable)  # an async connection's answer
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Answer(answer.stream, connection, self, origin),
            extensions=answer.extensions,
        )

    async def _connection(self, origin: Origin) -> httpcore.AsyncHTTPConnection:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            # The server may have closed it while it sat idle (or it is past its keep-alive).
            if not connection.has_expired():
                return connection
            await self._drop(connection)
        connection = httpcore.AsyncHTTPConnection(
            origin=httpcore.Origin(*origin),
            ssl_context=self._ssl() if origin[0] == b"https" else None,
            keepalive_expiry=KEEPALIVE_SECONDS,
        )
        self._open.add(connection)
        return connection

    def _ssl(self) -> ssl.SSLContext:
        if self._ssl_context is None:  # loading the CA bundle costs: only once, only for https
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    async def give_back(self, origin: Origin, connection: httpcore.AsyncHTTPConnection) -> None:
        idle = self._idle.setdefault(origin, [])
        if connection.is_idle() and len(idle) < self._keep:
            idle.append(connection)
        else:  # the answer was not read to its end, the server said close, or enough are kept
            await self._drop(connection)

    async def _drop(self, connection: httpcore.AsyncHTTPConnection) -> None:
        self._open.discard(connection)
        await connection.aclose()

    async def aclose(self) -> None:
        """Close every connection, answering ones too (their tasks ended with the loop's work)."""
        connections, self._open, self._idle = self._open, set(), {}
        for connection in connections:
            await connection.aclose()


class _Answer(httpx.AsyncByteStream):
    """A response body; once closed, its connection goes back to the transport."""

    def __init__(
        self,
        body: AsyncIterable[bytes],
        connection: httpcore.AsyncHTTPConnection,
        transport: KeptConnections,
        origin: Origin,
    ) -> None:
        self._body = body
        self._connection = connection
        self._transport = transport
        self._origin = origin
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._body:
                yield part

    async def aclose(self) -> None:
        if self._closed:  # a connection is given back once, or two requests would share it
            return
        self._closed = True
        close = getattr(self._body, "aclose", None)  # httpcore's body streams have one
        try:
            if close is not None:
                with _as_httpx_errors():
                    await close()
        finally:
            await self._transport.give_back(self._origin, self._connection)
