"""YouTube search through yt-dlp (`ytsearchN:` with extract_flat: one request, no page visits)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import yt_dlp

from downloads.pipeline.fetch.cookies import private_jar
from downloads.pipeline.sources.common import (
    VIDEO_ID,
    Query,
    YtDlpLogger,
    canonical_watch_url,
    dedupe,
    found_by,
    run_blocking,
)
from downloads.pipeline.types import Candidate

SOCKET_TIMEOUT_S = 15
_NOT_ON_DEMAND = {"is_live", "is_upcoming", "post_live"}


def parse_entry(entry: Mapping[str, Any]) -> Candidate | None:
    """One flat entry of a `ytsearchN:` result, or None for shorts, live streams and non-videos."""
    video_id = entry.get("id")
    if not isinstance(video_id, str) or not VIDEO_ID.fullmatch(video_id):
        return None
    if entry.get("ie_key") not in (None, "Youtube") or "/shorts/" in str(entry.get("url") or ""):
        return None
    if entry.get("live_status") in _NOT_ON_DEMAND:
        return None
    duration, views = entry.get("duration"), entry.get("view_count")
    return Candidate(
        id=video_id,
        title=str(entry.get("title") or ""),
        channel=str(entry.get("channel") or entry.get("uploader") or ""),
        duration=None if duration is None else float(duration),
        views=None if views is None else int(views),
        kind="video",
        url=canonical_watch_url(video_id),
        source=YouTubeSource.name,
    )


class YouTubeSource:
    name = "youtube"

    def __init__(self, *, executor: Executor | None = None, cookiefile: str | None = None) -> None:
        self._executor = executor
        self._cookiefile = cookiefile

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "extract_flat": True,
            "skip_download": True,
            "quiet": True,
            "no_warnings": True,
            "noprogress": True,
            "cachedir": False,
            "socket_timeout": SOCKET_TIMEOUT_S,
            "logger": YtDlpLogger("downloads.pipeline.ytdlp"),
        }
        if self._cookiefile:
            # A private copy: yt-dlp writes its cookie jar back when the instance closes.
            options["cookiefile"] = private_jar(Path(self._cookiefile))
        return options

    def _search_blocking(self, text: str, limit: int) -> list[Mapping[str, Any]]:
        # The query is the part after the first colon: nothing in it can change the extractor.
        with yt_dlp.YoutubeDL(self._options()) as ydl:
            info = ydl.extract_info(f"ytsearch{limit}:{text}", download=False)
        return [entry for entry in (info or {}).get("entries") or [] if entry]

    async def search(self, query: Query, *, limit: int) -> list[Candidate]:
        raw = await run_blocking(self._search_blocking, query.text, limit, executor=self._executor)
        return dedupe(found_by(query, map(parse_entry, raw)))
