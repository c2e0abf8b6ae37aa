"""One yt-dlp run: the best audio stream of a URL, as it comes, into the work folder.

Each download thread keeps one yt-dlp instance and reuses it while the parameters it was built
with stay the same (the kind of URL, the cookies file's version, the retry policy). Reuse keeps
what yt-dlp holds in memory between videos: the player script, its signature timestamp and
solved challenges, open connections. What belongs to one download is swapped per run: the work
folder (`outtmpl`, read at download time), the progress and retry callbacks (forwarded to the
current run's `Hooks`) and the warnings collected for error classification. The cookie jar is
the instance's own in-memory copy, loaded once. Per-thread, because an instance is not safe to
share: its extractors and cookie jar are unguarded.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import yt_dlp
from django.conf import settings

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.classify import classify_error
from downloads.pipeline.fetch.cookies import jar_stamp
from downloads.pipeline.fetch.freshness import log_if_stale
from downloads.pipeline.fetch.options import FetchOptions, Hooks, is_youtube_url, ytdlp_options
from downloads.pipeline.fetch.retry import RetryPolicy
from downloads.pipeline.sources.common import YtDlpLogger

logger = logging.getLogger(__name__)
_local = threading.local()
# Failures that may leave an instance mid-request: the next run starts with a fresh one.
_UNSETTLING = frozenset({"cancelled", "network", "forbidden", "other"})


class _RecordingLogger(YtDlpLogger):
    """yt-dlp's chatter to logging, keeping the current run's warnings: a failed player
    challenge is only a warning, and it explains the "no format" error that follows."""

    def __init__(self) -> None:
        super().__init__("downloads.pipeline.ytdlp")
        self.warnings: list[str] = []

    def warning(self, message: str) -> None:
        self.warnings.append(message)
        super().warning(message)


class _Session:
    """One thread's yt-dlp instance and the run it currently serves."""

    def __init__(self, key: tuple[Any, ...], url: str, options: FetchOptions, policy: RetryPolicy):
        self.key = key
        self.current: Hooks | None = None
        self.log = _RecordingLogger()
        params = ytdlp_options(
            url, options, policy, hooks=self, logger=self.log, cachedir=settings.YTDLP_CACHE_DIR
        )
        self.ydl = yt_dlp.YoutubeDL(params)

    def on_progress(self, status: dict[str, Any]) -> None:
        if self.current is not None:
            self.current.on_progress(status)

    def before_retry(self, n: int) -> float:
        return self.current.before_retry(n) if self.current is not None else 0.0

    def read(self, url: str, hooks: Hooks) -> dict[str, Any] | None:
        """The page's extraction alone (yt-dlp's unprocessed result: formats, stream URLs)."""
        self.current, self.log.warnings = hooks, []
        try:
            page: dict[str, Any] | None = self.ydl.extract_info(url, download=False, process=False)
            return page
        finally:
            self.current = None

    def run(
        self, url: str, workdir: Path, hooks: Hooks, page: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Download `url`'s best audio; from `page` when it was read ahead, else read now."""
        self.current, self.log.warnings = hooks, []
        self.ydl.params["outtmpl"]["default"] = str(workdir / "source.%(ext)s")
        try:
            info: dict[str, Any] | None
            if page is None:
                info = self.ydl.extract_info(url, download=True)
            else:
                info = self.ydl.process_ie_result(page, download=True)
            return info
        finally:
            self.current = None

    def close(self) -> None:
        try:
            self.ydl.close()
        except Exception:  # closing an instance must never fail a download
            logger.debug("closing a yt-dlp instance failed", exc_info=True)


def _session(url: str, options: FetchOptions, policy: RetryPolicy) -> _Session:
    key = (is_youtube_url(url), jar_stamp(options.cookiefile), options.js_runtime, policy)
    current: _Session | None = getattr(_local, "session", None)
    if current is not None and current.key == key:
        return current
    if current is not None:
        current.close()
    log_if_stale()
    fresh = _Session(key, url, options, policy)
    _local.session = fresh
    return fresh


def forget_session() -> None:
    """Drop this thread's instance (after a failure that may have left it in a bad state)."""
    current: _Session | None = getattr(_local, "session", None)
    _local.session = None
    if current is not None:
        current.close()


def page_read(
    url: str, options: FetchOptions, hooks: Hooks, policy: RetryPolicy
) -> dict[str, Any] | None:
    """`url`'s page as yt-dlp extracts it, read ahead of its download; raises a classified
    FetchError."""
    session = _session(url, options, policy)
    try:
        return session.read(url, hooks)
    except Exception as exc:
        raise _classified(exc, session, options) from exc


def download_source(
    url: str,
    workdir: Path,
    options: FetchOptions,
    hooks: Hooks,
    policy: RetryPolicy,
    page: dict[str, Any] | None = None,
) -> Path:
    """The downloaded file (`source.<ext>` in `workdir`); raises a classified FetchError.
    `page`: what `page_read` returned for `url`, if it was read ahead."""
    session = _session(url, options, policy)
    try:
        info = session.run(url, workdir, hooks, page)
    except Exception as exc:
        raise _classified(exc, session, options) from exc
    downloads = (info or {}).get("requested_downloads") or []
    paths = [Path(d["filepath"]) for d in downloads if d.get("filepath")]
    paths += sorted(p for p in workdir.glob("source.*") if p.suffix != ".part")
    existing = [p for p in paths if p.is_file()]
    if not existing:
        raise FetchError("yt-dlp finished without producing a file.", "other", retryable=True)
    return existing[0]


def _classified(exc: Exception, session: _Session, options: FetchOptions) -> FetchError:
    signed_in = options.cookiefile is not None
    error = classify_error(exc, signed_in=signed_in, warnings=session.log.warnings)
    if error.kind in _UNSETTLING:
        forget_session()
    return error
