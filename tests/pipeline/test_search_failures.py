"""Search failures of httpx, ytmusicapi (requests) and yt-dlp: retried when passing, named."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import requests
from yt_dlp.networking.exceptions import HTTPError as YtDlpHTTPError
from yt_dlp.networking.exceptions import TransportError as YtDlpTransportError
from yt_dlp.utils import DownloadError, ExtractorError
from ytmusicapi.exceptions import YTMusicServerError

from downloads.pipeline.resolve import Resolver, SourceFailure
from downloads.pipeline.search_failures import diagnose
from downloads.pipeline.sources.common import Query
from downloads.pipeline.types import Candidate, TrackQuery

TRACK = TrackQuery(
    name="Wonderwall", artists=("Oasis",), album="Morning Glory", duration_ms=258_000
)
FOUND = Candidate("dQw4w9WgXcQ", "Wonderwall", "Oasis - Topic", 258.0, 1, "song",
                  url="https://music.youtube.com/watch?v=dQw4w9WgXcQ")  # fmt: skip


def _ytmusic_server_error(status: int, reason: str) -> YTMusicServerError:
    """As ytmusicapi's _send_request words it for an answer of HTTP >= 400."""
    return YTMusicServerError(f"Server returned HTTP {status}: {reason}.\nThe service is busy.")


def _ytsearch_error(cause: Exception) -> DownloadError:
    """As yt-dlp reports a failed `ytsearch` request: DownloadError around an ExtractorError."""
    try:
        raise cause
    except Exception:
        inner = ExtractorError(f"Unable to download API page: {cause}", cause=cause,
                               video_id="ytsearch", ie="youtube:search")  # fmt: skip
    return DownloadError(f"ERROR: {inner}", exc_info=(type(inner), inner, None))


def _yt_dlp_http_error(status: int, reason: str) -> YtDlpHTTPError:
    from io import BytesIO

    from yt_dlp.networking import Response

    return YtDlpHTTPError(Response(BytesIO(b""), "https://www.youtube.com/results", {},
                                   status=status, reason=reason))  # fmt: skip


def _json_error() -> json.JSONDecodeError:
    try:
        json.loads("<html>Too many requests</html>")
    except json.JSONDecodeError as exc:
        return exc
    raise AssertionError("unreachable")


CASES: list[tuple[str, BaseException, str, bool, str]] = [
    ("requests read timeout", requests.ReadTimeout("Read timed out. (read timeout=30)"),
     "timeout", True, "did not answer in time"),
    ("requests connection refused", requests.ConnectionError("Connection refused"),
     "network", True, "could not be reached"),
    ("requests cut-off body", requests.exceptions.ChunkedEncodingError("Connection broken"),
     "network", True, "could not be reached"),
    ("ytmusicapi 503", _ytmusic_server_error(503, "Service Unavailable"),
     "server_error", True, "answered with an error (HTTP 503)"),
    ("ytmusicapi 429", _ytmusic_server_error(429, "Too Many Requests"),
     "rate_limited", True, "slow down (HTTP 429)"),
    ("ytmusicapi 400", _ytmusic_server_error(400, "Bad Request"),
     "refused", False, "answered with an error (HTTP 400)"),
    ("an HTML page instead of JSON", _json_error(),
     "unreadable", True, "could not be read"),
    ("an answer of unknown shape", KeyError("musicResponsiveListItemRenderer"),
     "unreadable", False, "could not be read"),
    ("httpx timeout", httpx.ReadTimeout("timed out"), "timeout", True, "did not answer in time"),
    ("ytsearch timeout", _ytsearch_error(YtDlpTransportError("The read operation timed out")),
     "timeout", True, "did not answer in time"),
    ("ytsearch no route", _ytsearch_error(YtDlpTransportError("Network is unreachable")),
     "network", True, "could not be reached"),
    ("ytsearch 503", _ytsearch_error(_yt_dlp_http_error(503, "Service Unavailable")),
     "server_error", True, "HTTP 503"),
    ("ytsearch bot check", DownloadError("ERROR: [youtube:search] ytsearch: Sign in to confirm "
                                         "you\u2019re not a bot. Use --cookies-from-browser"),
     "bot_check", False, "cookies file"),
]  # fmt: skip


@pytest.mark.parametrize(("error", "kind", "transient", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_each_library_s_failure_is_named_by_kind(error, kind, transient, words):
    found = diagnose(error)

    assert (found.kind, found.transient) == (kind, transient)
    assert words in found.reason


class Flaky:
    """Fails with the given errors first, then answers."""

    name = "flaky"

    def __init__(self, *errors: BaseException) -> None:
        self.errors, self.calls = list(errors), 0

    async def search(self, query: Query, *, limit: int) -> list[Candidate]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return [FOUND]


def _first_answer(source: Any) -> tuple[tuple[Candidate, ...], SourceFailure | None]:
    async def ask() -> Any:
        return await anext(Resolver([source]).attempts(TRACK))

    answer = asyncio.run(ask())
    return answer.candidates, answer.failure


def test_a_ytmusicapi_timeout_and_a_503_are_retried_until_an_answer():
    source = Flaky(requests.ReadTimeout("Read timed out."), _ytmusic_server_error(503, "x"))

    candidates, failure = _first_answer(source)

    assert (source.calls, failure) == (3, None)
    assert [c.id for c in candidates] == [FOUND.id]


def test_a_yt_dlp_network_error_is_retried():
    source = Flaky(_ytsearch_error(YtDlpTransportError("Connection reset by peer")))

    candidates, failure = _first_answer(source)

    assert (source.calls, failure, len(candidates)) == (2, None, 1)


def test_an_answer_of_unknown_shape_is_not_asked_again():
    source = Flaky(KeyError("contents"), KeyError("contents"))

    _, failure = _first_answer(source)

    assert source.calls == 1
    assert failure == SourceFailure("flaky", "gave an answer that could not be read", "unreadable")


def test_a_failure_that_outlasts_the_retries_is_reported_by_kind():
    source = Flaky(*[requests.ReadTimeout("Read timed out.")] * 3)

    _, failure = _first_answer(source)

    assert source.calls == 3
    assert failure == SourceFailure("flaky", "did not answer in time", "timeout", transient=True)
