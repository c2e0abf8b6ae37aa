from __future__ import annotations

import asyncio
import threading
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpResponse

from spotifydl.request_threads import OneHopASGIHandler, ReusedThreads, TakeTurns

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


def _turn_taking_chain(started: list[int], release: dict[int, asyncio.Event]) -> Any:
    async def chain(request: int) -> HttpResponse:
        started.append(request)
        await release[request].wait()
        return HttpResponse(str(request))

    return chain


def _answered(responses: list[HttpResponse]) -> list[int]:
    return [int(response.content) for response in responses]


async def _settle() -> None:
    """Lets every task that can run, run (no threads here: the loop alone decides)."""
    for _ in range(10):
        await asyncio.sleep(0)


def test_a_process_runs_one_request_at_a_time_in_the_order_they_came() -> None:
    started: list[int] = []
    release = {n: asyncio.Event() for n in (1, 2, 3)}
    seen: list[list[int]] = []

    async def three_at_once() -> list[int]:
        turns: Any = TakeTurns(_turn_taking_chain(started, release), at_once=1, patience=60)
        calls = [asyncio.create_task(turns(n)) for n in (1, 2, 3)]
        for n in (1, 2, 3):
            await _settle()
            seen.append(list(started))
            release[n].set()
        return _answered(await asyncio.gather(*calls))

    assert asyncio.run(three_at_once()) == [1, 2, 3]
    assert seen == [[1], [1, 2], [1, 2, 3]]


def test_a_request_behind_a_slow_one_runs_once_it_has_waited_its_patience() -> None:
    started: list[int] = []
    release = {1: asyncio.Event(), 2: asyncio.Event()}
    release[2].set()

    async def behind_a_stuck_one() -> tuple[int, list[int]]:
        turns: Any = TakeTurns(_turn_taking_chain(started, release), at_once=1, patience=0.05)
        stuck = asyncio.create_task(turns(1))
        await _settle()
        second = await turns(2)  # returns while the first still holds its turn
        still_held = list(started)
        release[1].set()
        await stuck
        return int(second.content), still_held

    assert asyncio.run(behind_a_stuck_one()) == (2, [1, 2])


def test_the_web_handler_runs_its_requests_taking_turns() -> None:
    assert isinstance(OneHopASGIHandler()._middleware_chain, TakeTurns)


def test_a_request_that_waited_for_its_turn_asks_for_a_new_connection() -> None:
    release = {1: asyncio.Event(), 2: asyncio.Event()}

    async def one_behind_another() -> list[HttpResponse]:
        turns: Any = TakeTurns(_turn_taking_chain([], release), at_once=1, patience=60)
        first = asyncio.create_task(turns(1))
        await _settle()
        second = asyncio.create_task(turns(2))
        await _settle()
        release[1].set()
        release[2].set()
        return list(await asyncio.gather(first, second))

    first, second = asyncio.run(one_behind_another())

    assert not first.has_header("Connection")
    assert second["Connection"] == "close"


def test_a_request_that_ran_past_a_slow_one_asks_for_a_new_connection_too() -> None:
    release = {1: asyncio.Event(), 2: asyncio.Event()}
    release[2].set()

    async def behind_a_stuck_one() -> HttpResponse:
        turns: Any = TakeTurns(_turn_taking_chain([], release), at_once=1, patience=0.05)
        stuck = asyncio.create_task(turns(1))
        await _settle()
        second: HttpResponse = await turns(2)
        release[1].set()
        await stuck
        return second

    assert asyncio.run(behind_a_stuck_one())["Connection"] == "close"
