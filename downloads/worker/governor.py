"""The worker's side of the YouTube governor: wait for a turn before each search and fetch,
and tell YouTube's limits (rate limit, captcha, bot check) from every other failure.

A limit is never a track's fault: the item goes back to wait, uncounted, and the chunk pauses
the jobs (`YouTubeHeld` when the gate was already closed or the turn is far off,
`YouTubeRefused` when YouTube just said no).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from asgiref.sync import sync_to_async

from downloads import youtube_gate
from downloads.pipeline.errors import FetchError
from downloads.pipeline.resolve import SourceFailure
from downloads.worker.cancel import CancelToken
from downloads.youtube_gate import GateHold, Turn

# FetchError kinds (downloads.pipeline.fetch.classify) that are YouTube's limits -> sign-in?
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
    kind = str(error.kind)
    if kind in LIMIT_KINDS:
        raise YouTubeRefused(sign_in=LIMIT_KINDS[kind]) from error
    sign_in = _limit_in_text(" ".join(str(e) for e in _causes(error)))
    if sign_in is not None:
        raise YouTubeRefused(sign_in=sign_in) from error


def refuse_if_search_limit(failure: SourceFailure) -> None:
    """Raise YouTubeRefused when a search source was refused by YouTube's limits."""
    kind = str(getattr(failure, "kind", ""))
    if kind in LIMIT_KINDS:
        raise YouTubeRefused(sign_in=LIMIT_KINDS[kind])
    sign_in = _limit_in_text(failure.reason)
    if sign_in is not None:
        raise YouTubeRefused(sign_in=sign_in)


def _limit_in_text(text: str) -> bool | None:
    """Until every FetchError and SourceFailure carries its kind, YouTube's own words (as
    yt-dlp and ytmusicapi pass them on): None when the text is no limit, else sign-in?"""
    text = text.lower()
    if "captcha" in text or "not a bot" in text:
        return True
    if "rate-limited by youtube" in text or "http 429" in text or "http error 429" in text:
        return False
    return None


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it was raised from: the fetch stage keeps yt-dlp's own message there."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and not any(current is known for known in seen):
        seen.append(current)
        yield current
        current = current.__cause__ or current.__context__
