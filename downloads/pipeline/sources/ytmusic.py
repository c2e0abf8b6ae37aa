"""YouTube Music through ytmusicapi: songs first (the label's own audio), then videos."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

import requests
from django.conf import settings
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from downloads.pipeline.sources.common import (
    VIDEO_ID,
    Query,
    canonical_watch_url,
    dedupe,
    found_by,
    run_blocking,
)
from downloads.pipeline.types import Candidate

REQUEST_TIMEOUT_S = 15
YTMUSIC_ORIGIN = "https://music.youtube.com"
_COUNT = re.compile(r"^\s*([\d.,]+)\s*([KMB]?)", re.IGNORECASE)
_MULTIPLIERS = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_ART_TRACK = "MUSIC_VIDEO_TYPE_ATV"


class BaseUrlAdapter(HTTPAdapter):
    """Sends requests for https://music.youtube.com to another base URL (a stand-in for tests
    or demos); ytmusicapi itself only ever names YouTube Music."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        url = request.url or ""
        if url == YTMUSIC_ORIGIN or url.startswith(f"{YTMUSIC_ORIGIN}/"):
            request.url = self.base_url + url[len(YTMUSIC_ORIGIN) :]
        return super().send(request, *args, **kwargs)


def new_session(base_url: str) -> requests.Session:
    session = requests.Session()
    # ytmusicapi's default session waits 30 s; a slow search should fall back sooner.
    session.request = functools.partial(session.request, timeout=REQUEST_TIMEOUT_S)  # type: ignore[method-assign]
    if base_url.rstrip("/") != YTMUSIC_ORIGIN:
        session.mount(f"{YTMUSIC_ORIGIN}/", BaseUrlAdapter(base_url))
    return session


def _new_client() -> Any:
    from ytmusicapi import YTMusic

    return YTMusic(requests_session=new_session(settings.YTMUSIC_BASE_URL))


class SharedVisitor:
    """Makes ytmusicapi clients that share one visitor id. A client reads YouTube Music's home
    page for one before its first search, and a source has a client per thread (a requests
    session is not thread-safe): one read per source instead of one per thread, as a browser
    keeps one visitor id for all its tabs."""

    def __init__(self, factory: Callable[[], Any] = _new_client) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._headers: Any = None

    def __call__(self) -> Any:
        client = self._factory()
        with self._lock:  # the first client reads the page; the others wait for its answer
            if self._headers is None:
                self._headers = client.base_headers
            else:
                # ytmusicapi keeps them in a cached_property: an assigned value takes its place.
                client.base_headers = self._headers.copy()
        return client


def parse_count(text: Any) -> int | None:
    """YouTube Music's short counts: "1.4M", "386M", "12K", "1,234 views"."""
    if isinstance(text, int):
        return text
    match = _COUNT.match(str(text or ""))
    if not match:
        return None
    number, unit = match.group(1).replace(",", ""), match.group(2).upper()
    try:
        return int(float(number) * _MULTIPLIERS[unit])
    except ValueError:
        return None


def parse_result(item: Mapping[str, Any]) -> Candidate | None:
    """One entry of `YTMusic.search(filter="songs"|"videos")`, or None when it is not playable."""
    kind = item.get("resultType")
    video_id = item.get("videoId")
    if kind not in ("song", "video") or not isinstance(video_id, str):
        return None
    if not VIDEO_ID.fullmatch(video_id) or item.get("isAvailable") is False:
        return None
    artists = tuple(str(a["name"]) for a in item.get("artists") or () if a and a.get("name"))
    album = item.get("album") or {}
    duration = item.get("duration_seconds")
    return Candidate(
        id=video_id,
        title=str(item.get("title") or ""),
        channel=_channel(kind, item.get("videoType"), artists),
        duration=None if duration is None else float(duration),
        views=parse_count(item.get("views")),
        kind="song" if kind == "song" else "video",
        artists=artists or None,
        album=album.get("name") if isinstance(album, Mapping) else None,
        explicit=item.get("isExplicit") if kind == "song" else None,
        url=canonical_watch_url(video_id, music=True),
        source=YouTubeMusicSource.name,
    )


def _channel(kind: str, video_type: Any, artists: tuple[str, ...]) -> str:
    # YouTube Music does not name the uploading channel. An art track ("song" of type ATV) is
    # always published on the primary artist's auto-generated "Artist - Topic" channel; other
    # uploads show their uploader first in the artist runs.
    if not artists:
        return ""
    if kind == "song" and video_type in (_ART_TRACK, None):
        return f"{artists[0]} - Topic"
    return artists[0]


class YouTubeMusicSource:
    name = "ytmusic"

    def __init__(
        self, *, executor: Executor | None = None, client_factory: Callable[[], Any] | None = None
    ) -> None:
        self._executor = executor
        self._client_factory = client_factory or SharedVisitor()
        # ytmusicapi keeps a requests.Session, which is not safe to share between threads.
        self._local = threading.local()

    def _client(self) -> Any:
        if not hasattr(self._local, "client"):
            self._local.client = self._client_factory()
        return self._local.client

    def _search_blocking(self, text: str, kind: str, limit: int) -> list[Mapping[str, Any]]:
        results = self._client().search(text, filter=kind, limit=limit)
        return list(results or [])

    async def search(self, query: Query, *, limit: int) -> list[Candidate]:
        # An ISRC names a release: only the songs filter can answer it meaningfully.
        kinds = ("songs",) if query.kind == "isrc" else ("songs", "videos")
        found: list[Candidate] = []
        for kind in kinds:
            raw = await run_blocking(
                self._search_blocking, query.text, kind, limit, executor=self._executor
            )
            found.extend(found_by(query, map(parse_result, raw)))
        return dedupe(found)
