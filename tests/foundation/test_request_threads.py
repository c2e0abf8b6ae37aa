from __future__ import annotations

import asyncio
import threading
from typing import Any

from asgiref.sync import sync_to_async

from spotifydl.request_threads import ReusedThreads

HTTP = {"type": "http"}


async def _nothing() -> dict[str, Any]:
    return {}


async def _ignore(message: Any) -> None:
    return None


def _recording_app(threads: list[int], both_in: asyncio.Event | None = None) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        threads.append(await sync_to_async(threading.get_ident)())
        if both_in is not None:
            if len(threads) == 2:
                both_in.set()
            await both_in.wait()

    return app


def test_requests_one_after_another_run_on_the_same_kept_thread() -> None:
    threads: list[int] = []
    app = ReusedThreads(_recording_app(threads))

    async def two_requests() -> None:
        await app(HTTP, _nothing, _ignore)
        await app(HTTP, _nothing, _ignore)

    asyncio.run(two_requests())

    assert len(threads) == 2 and threads[0] == threads[1] != threading.get_ident()


def test_requests_at_the_same_time_get_threads_of_their_own() -> None:
    threads: list[int] = []

    async def two_at_once() -> None:
        app = ReusedThreads(_recording_app(threads, asyncio.Event()))
        await asyncio.gather(app(HTTP, _nothing, _ignore), app(HTTP, _nothing, _ignore))

    asyncio.run(two_at_once())

    assert len(set(threads)) == 2
