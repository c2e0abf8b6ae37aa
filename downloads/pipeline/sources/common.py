"""What every search source shares: the interface, query building, and the media URL allow-list.

Security rule: yt-dlp only ever receives URLs that a resolver built from a validated video id, or
that pass `is_allowed_media_url` — never a URL taken as-is from a search answer or a request.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Literal, Protocol
from urllib.parse import urlsplit

from django.conf import settings

from downloads.pipeline.types import Candidate, TrackQuery

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_HOSTS = frozenset({"www.youtube.com", "music.youtube.com"})
YOUTUBE_WATCH_BASE = "https://www.youtube.com/watch?v="
_ISRC = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


class SearchSource(Protocol):
    """One place to look for uploads of a track; a new site is one new class. It answers one
    query at a time (the resolver plans them: `planned_queries`)."""

    name: str

    async def search(self, query: Query, *, limit: int) -> list[Candidate]: ...


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    kind: Literal["isrc", "text"]


def text_query(track: TrackQuery) -> str:
    """ "Artist - Title" with the primary artist only: featured artists in the query make search
    engines prefer remixes and covers that list them all."""
    if not track.artists:
        return track.name
    return f"{track.artists[0]} - {track.name}"


def planned_queries(track: TrackQuery) -> list[Query]:
    """The ISRC first when there is one (it names the exact recording), then the text query."""
    queries = []
    isrc = (track.isrc or "").replace("-", "").upper()
    if _ISRC.fullmatch(isrc):
        queries.append(Query(isrc, "isrc"))
    queries.append(Query(text_query(track), "text"))
    return queries


def found_by(query: Query, candidates: Iterable[Candidate | None]) -> list[Candidate]:
    """The candidates a query returned, the ISRC search's first answer marked as the recording
    the code names (the rest are whatever else matched the text); the matcher prefers it among
    equals."""
    found = [c for c in candidates if c is not None]
    if query.kind == "isrc" and found:
        found[0] = replace(found[0], from_isrc=True)
    return found


def dedupe(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Keep the first candidate of each id: earlier queries are the more precise ones."""
    seen: set[str] = set()
    kept = []
    for candidate in candidates:
        if candidate.id not in seen:
            seen.add(candidate.id)
            kept.append(candidate)
    return kept


def watch_base() -> str:
    """Where a video id becomes a watch URL: YouTube's own, or a stand-in's (settings)."""
    return str(getattr(settings, "YOUTUBE_WATCH_BASE", "") or YOUTUBE_WATCH_BASE)


def youtube_watch_url(video_id: str, *, music: bool = False) -> str:
    """YouTube's own link to a video (what a person pastes or follows); 11-char ids only."""
    if not VIDEO_ID.fullmatch(video_id):
        raise ValueError(f"not a YouTube video id: {video_id!r}")
    host = "music.youtube.com" if music else "www.youtube.com"
    return f"https://{host}/watch?v={video_id}"


def canonical_watch_url(video_id: str, *, music: bool = False) -> str:
    """The only watch URL shape we hand to yt-dlp: YouTube's own link, or the configured
    YOUTUBE_WATCH_BASE followed by the id. Refuses anything but an 11-char id."""
    base = watch_base()
    if base == YOUTUBE_WATCH_BASE:
        return youtube_watch_url(video_id, music=music)
    if not VIDEO_ID.fullmatch(video_id):
        raise ValueError(f"not a YouTube video id: {video_id!r}")
    return f"{base}{video_id}"


def _is_watch_url(parts: tuple[str, str, str, str, str]) -> bool:
    scheme, netloc, path, query, fragment = parts
    return (
        scheme == "https"
        and netloc in YOUTUBE_HOSTS
        and path == "/watch"
        and query.startswith("v=")
        and VIDEO_ID.fullmatch(query[2:]) is not None
        and not fragment
    )


def _is_configured_watch_url(url: str, base: str) -> bool:
    """The configured base followed by exactly one video id, on an http(s) host of its own."""
    parts = urlsplit(base)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and "@" not in parts.netloc
        and url.startswith(base)
        and VIDEO_ID.fullmatch(url[len(base) :]) is not None
    )


def is_allowed_media_url(url: str) -> bool:
    """True only for canonical YouTube / YouTube Music watch URLs and, when YOUTUBE_WATCH_BASE
    names another place, that base followed by one video id.

    Exact hosts, no userinfo or port, exactly one 11-char `v` parameter; the raw string must be
    printable ASCII because urlsplit silently drops tabs and newlines that yt-dlp would keep.
    """
    if not isinstance(url, str) or not _PRINTABLE_ASCII.fullmatch(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if "@" in parts.netloc or "\\" in url:
        return False
    if _is_watch_url(parts):
        return True
    base = watch_base()
    return base != YOUTUBE_WATCH_BASE and _is_configured_watch_url(url, base)


async def run_blocking[T](
    function: Callable[..., T], *args: object, executor: Executor | None = None
) -> T:
    """Run a synchronous library call (ytmusicapi, yt-dlp) off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(function, *args))


class YtDlpLogger:
    """Sends yt-dlp's chatter to logging instead of stdout/stderr (it would garble the worker)."""

    def __init__(self, name: str) -> None:
        self._log = logging.getLogger(name)

    def debug(self, message: str) -> None:
        self._log.debug("%s", message)

    def info(self, message: str) -> None:
        self._log.debug("%s", message)

    def warning(self, message: str) -> None:
        self._log.info("%s", _without_cookies(message))

    def error(self, message: str) -> None:
        # Errors also come back as exceptions, which are what we report.
        self._log.info("%s", _without_cookies(message))


def _without_cookies(message: str) -> str:
    """yt-dlp quotes a cookies file's bad lines (session values included) in its messages."""
    if "cookie" in message.lower():
        return "yt-dlp could not use the cookies file (details withheld: they hold secrets)"
    return message
