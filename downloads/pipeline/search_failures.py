"""Why a search source failed, in words, and whether asking again at once may help.

Sources fail through three libraries: httpx, requests under ytmusicapi (which adds
YTMusicServerError for HTTP >= 400 and lets a non-JSON body fail as JSONDecodeError) and yt-dlp
for `ytsearch` (DownloadError wrapping its own networking errors). All of them are read here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

import httpx
import requests
from yt_dlp.networking.exceptions import HTTPError as YtDlpHTTPError
from yt_dlp.networking.exceptions import TransportError as YtDlpTransportError
from ytmusicapi.exceptions import YTMusicServerError

from downloads.pipeline.fetch.classify import exception_chain, kind_of, plain_message

SearchFailureKind = Literal[
    "timeout",
    "network",
    "rate_limited",
    "server_error",
    "refused",
    "forbidden",
    "bot_check",
    "unreadable",
]
_STATUS = re.compile(r"(?:HTTP|HTTP Error) (\d{3})")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    kind: SearchFailureKind
    reason: str
    transient: bool  # asking again in a moment may help (a glitch, a busy server, a cut-off)


_TIMEOUT = Diagnosis("timeout", "did not answer in time", transient=True)
_NETWORK = Diagnosis("network", "could not be reached, or the connection broke", transient=True)
_UNREADABLE = "gave an answer that could not be read"


def diagnose(exc: BaseException) -> Diagnosis:
    """A reason a person can read: what happened, never the name of an exception class."""
    chain = exception_chain(exc)
    limit = _youtube_limit(" ".join(plain_message(e) for e in chain))
    if limit is not None:
        return limit  # YouTube's own words beat the bare status (a bot check comes as a 403)
    status = _status(chain)
    if status is not None:
        return _from_status(status)
    if any(_is_timeout(e) for e in chain):
        return _TIMEOUT
    if any(isinstance(e, json.JSONDecodeError) for e in chain):
        # A cut-off body or an error page instead of JSON: often gone on the next try.
        return Diagnosis("unreadable", _UNREADABLE, transient=True)
    network = (httpx.TransportError, requests.RequestException, YtDlpTransportError)
    if any(isinstance(e, network) for e in chain):
        return _NETWORK
    if kind_of(" ".join(plain_message(e) for e in chain)) == "network":
        return _NETWORK
    # An answer in a shape the parser does not know: asking again gets the same shape.
    return Diagnosis("unreadable", _UNREADABLE, transient=False)


def _youtube_limit(text: str) -> Diagnosis | None:
    """YouTube's own words for its limits; a bare 429 is left to the status (worth a retry)."""
    kind = kind_of(text)
    if kind == "rate_limited" and "rate-limited" in text.lower():
        # YouTube's own limit lasts up to an hour: asking again now only adds to it.
        return Diagnosis("rate_limited", "asked us to slow down (rate limit)", transient=False)
    if kind in ("bot_check", "captcha"):
        reason = "wants a sign-in check (add a cookies file in Settings)"
        return Diagnosis("bot_check", reason, transient=False)
    return None


def _status(chain: list[BaseException]) -> int | None:
    for e in chain:
        if isinstance(e, httpx.HTTPStatusError):
            return e.response.status_code
        if isinstance(e, YtDlpHTTPError):
            return int(e.status)
        if isinstance(e, YTMusicServerError):
            found = _STATUS.search(str(e))
            return int(found.group(1)) if found else None
    return None


def _from_status(status: int) -> Diagnosis:
    if status == 429:
        return Diagnosis("rate_limited", "asked us to slow down (HTTP 429)", transient=True)
    if status == 403:
        # YouTube's bare 403 to a search is how it asks a signed-out client to prove itself.
        reason = "refused the search (HTTP 403), as YouTube does when it wants a sign-in check"
        return Diagnosis("forbidden", reason, transient=False)
    reason = f"answered with an error (HTTP {status})"
    if status >= 500:
        return Diagnosis("server_error", reason, transient=True)
    return Diagnosis("refused", reason, transient=False)


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError | httpx.TimeoutException | requests.Timeout):
        return True
    return isinstance(exc, YtDlpTransportError) and "timed out" in str(exc).lower()
