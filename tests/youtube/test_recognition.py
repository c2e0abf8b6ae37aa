"""Telling YouTube's limits from a track's own trouble, from the words yt-dlp and ytmusicapi
pass on (the sandbox's sentences are yt-dlp's own)."""

from __future__ import annotations

import asyncio

import pytest
from yt_dlp.utils import DownloadError
from ytmusicapi.exceptions import YTMusicServerError

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.classify import classify_error
from downloads.pipeline.resolve import Resolver, SourceFailure
from downloads.pipeline.sources.common import Query
from downloads.pipeline.types import Candidate, TrackQuery
from downloads.worker.governor import YouTubeRefused, refuse_if_limit, refuse_if_search_limit
from sandbox.youtube_faults import BOT_CHECK, CAPTCHA, RATE_LIMITED

TRACK = TrackQuery(name="Wonderwall", artists=("Oasis",), album="", duration_ms=258_000)


def _fetch_error(message: str) -> FetchError:
    """What the fetch stage raises: classify's FetchError, raised from yt-dlp's error."""
    original = DownloadError(f"ERROR: [generic] watch?v=abc: {message}")
    try:
        raise classify_error(original) from original
    except FetchError as error:
        return error


@pytest.mark.parametrize(
    ("message", "sign_in"),
    [
        (f"Unable to download webpage: HTTP Error 429: {RATE_LIMITED}", False),
        (f"unable to download video data: HTTP Error 429: {CAPTCHA}", True),
        (f"Unable to download webpage: HTTP Error 403: {BOT_CHECK}", True),
        ("unable to download video data: HTTP Error 429: Too Many Requests", False),
    ],
)
def test_youtubes_limits_on_a_fetch_are_refusals_not_failures(message: str, sign_in: bool):
    with pytest.raises(YouTubeRefused) as refused:
        refuse_if_limit(_fetch_error(message))
    assert refused.value.sign_in is sign_in


@pytest.mark.parametrize(
    "message",
    [
        "HTTP Error 404: Not Found",
        "Private video. Sign in if you've been granted access to this video",
        "unable to download video data: HTTP Error 403: Forbidden",
        "HTTP Error 503: Service Unavailable",
    ],
)
def test_a_tracks_own_trouble_is_no_limit(message: str) -> None:
    refuse_if_limit(_fetch_error(message))  # does not raise


class _Refusing:
    """A search source that gets ytmusicapi's answer to a refused search."""

    name = "ytmusic"

    def __init__(self, status: int, sentence: str) -> None:
        self.error: Exception = YTMusicServerError(
            f"Server returned HTTP {status}: Reason.\n{sentence}"
        )

    async def search(self, query: Query, *, limit: int) -> list[Candidate]:
        raise self.error


def _failure(status: int, sentence: str) -> SourceFailure:
    return _failure_of(_Refusing(status, sentence))


def _failure_of(source: _Refusing) -> SourceFailure:
    async def first() -> SourceFailure:
        async for answer in Resolver([source]).attempts(TRACK):
            assert answer.failure is not None
            return answer.failure
        raise AssertionError("no answer")

    return asyncio.run(first())


@pytest.mark.parametrize(
    ("status", "sentence", "sign_in"),
    [(429, RATE_LIMITED, False), (429, CAPTCHA, True), (403, f"{BOT_CHECK}.", True)],
)
def test_a_refused_search_is_a_limit(status: int, sentence: str, sign_in: bool) -> None:
    with pytest.raises(YouTubeRefused) as refused:
        refuse_if_search_limit(_failure(status, sentence))
    assert refused.value.sign_in is sign_in


def test_a_bot_check_on_a_yt_dlp_search_is_a_limit() -> None:
    refusing = _Refusing(403, "")
    refusing.error = DownloadError(f"ERROR: [youtube:search] Wonderwall: {BOT_CHECK}")
    with pytest.raises(YouTubeRefused) as refused:
        refuse_if_search_limit(_failure_of(refusing))
    assert refused.value.sign_in is True


def test_a_search_that_merely_failed_is_no_limit() -> None:
    refuse_if_search_limit(_failure(503, "The service is currently unavailable."))
    refuse_if_search_limit(SourceFailure("ytmusic", "did not answer in time"))
