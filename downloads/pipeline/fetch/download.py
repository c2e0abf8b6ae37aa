"""One yt-dlp run: the best audio stream of a URL, as it comes, into the work folder."""

from __future__ import annotations

from pathlib import Path

import yt_dlp

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.options import FetchOptions, Hooks, ytdlp_options
from downloads.pipeline.fetch.retry import RetryPolicy


def download_source(
    url: str, workdir: Path, options: FetchOptions, hooks: Hooks, policy: RetryPolicy
) -> Path:
    """The downloaded file (`source.<ext>` in `workdir`); raises whatever yt-dlp raised."""
    with yt_dlp.YoutubeDL(ytdlp_options(workdir, options, hooks, url, policy)) as ydl:
        info = ydl.extract_info(url, download=True)
    downloads = (info or {}).get("requested_downloads") or []
    paths = [Path(d["filepath"]) for d in downloads if d.get("filepath")]
    paths += sorted(p for p in workdir.glob("source.*") if p.suffix != ".part")
    existing = [p for p in paths if p.is_file()]
    if not existing:
        raise FetchError("yt-dlp finished without producing a file.", "other", retryable=True)
    return existing[0]
