"""The worker's side of the YouTube governor: wait for a turn before each search and fetch,
and tell YouTube's limits (rate limit, captcha, bot check) from every other failure.

A limit is never a track's fault: the item goes back to wait, uncounted, and the chunk pauses
the jobs (`YouTubeHeld` when the gate was already closed or the turn is far off,
`YouTubeRefused` when YouTube just said no).
"""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async

from downloads import youtube_gate
from downloads.pipeline.errors import FetchError
from downloads.pipeline.resolve import SourceFailure
from downloads.worker.cancel import CancelToken
from downloads.youtube_gate import GateHold, Turn

# Failure kinds (fetch: classify.py; search: search_failures.py) that are YouTube's limits,
# mapped to whether a sign-in (cookies) would help.
LIMIT_KINDS = {"rate_limited": False, "captcha": True, "bot_check": True}


class YouTubeHeld(Exception):
    """The gate is closed, or this job's turn is too far off: stop taking YouTube work."""

    def __init__(self, hold: GateHold) -> None:
        super().__init__(hold.reason)
        self.hold = hold


class YouTubeRefused(Exception):
    """YouTube refused a request: a rate limit, or a sign-in check (captcha, bot check)."""

    def __init__(self, *, sign_in: bool) -> None:
        super().__init__("YouTube asks for a sign-in check" if sign_in else "YouTube rate limit")
        self.sign_in = sign_in


async def take_turn(turn: Turn, cancel: CancelToken) -> None:
    """Wait for this worker's turn (a few seconds at most), or raise YouTubeHeld."""
    claim = await sync_to_async(youtube_gate.gate_claim)(turn=turn)
    if isinstance(claim, GateHold):
        raise YouTubeHeld(claim)
    if claim > 0:
        await cancel.unless(asyncio.sleep(claim))


def refuse_if_limit(error: FetchError) -> None:
    """Raise YouTubeRefused when a failed fetch was YouTube's limit, not the track's fault."""
    sign_in = LIMIT_KINDS.get(str(error.kind))
    if sign_in is not None:
        raise YouTubeRefused(sign_in=sign_in) from error


def refuse_if_search_limit(failure: SourceFailure) -> None:
    """Raise YouTubeRefused when a search source was refused by YouTube's limits."""
    sign_in = LIMIT_KINDS.get(str(failure.kind))
    if sign_in is not None:
        raise YouTubeRefused(sign_in=sign_in)
