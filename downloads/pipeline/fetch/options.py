"""What a caller asks of a fetch, and the yt-dlp parameters and hooks that carry it out."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.fetch.convert import AudioFormat
from downloads.pipeline.fetch.cookies import private_jar
from downloads.pipeline.fetch.retry import CancelCheck, RetryPolicy, wait_unless_cancelled
from downloads.pipeline.sources.common import YtDlpLogger
from spotifydl.ffmpeg import ffmpeg_path

ProgressCallback = Callable[[int, int | None], None]
PROGRESS_INTERVAL_S = 0.25
# Every kind of retry yt-dlp makes pauses through our hook, so every pause watches cancel.
_RETRY_KINDS = ("http", "fragment", "extractor")


@dataclass(frozen=True, slots=True)
class FetchOptions:
    audio_format: AudioFormat = "original"
    cookiefile: Path | None = None  # Netscape cookies of a signed-in account (bot/age checks)
    js_runtime: str | None = None  # deno binary for YouTube's player JS; found when None


def find_js_runtime() -> str | None:
    """yt-dlp needs a JavaScript runtime for YouTube: the `deno` wheel's binary, else PATH."""
    try:
        import deno

        return str(deno.find_deno_bin())
    except (ImportError, FileNotFoundError, AttributeError):
        return shutil.which("deno")


class YtDlpHooks(Protocol):
    """The callbacks a yt-dlp instance is built with."""

    def on_progress(self, status: dict[str, Any]) -> None: ...

    def before_retry(self, n: int) -> float: ...


class Hooks:
    """Progress and cancel, called from yt-dlp's thread for every chunk and every retry."""

    def __init__(
        self, progress: ProgressCallback | None, cancel: CancelCheck, policy: RetryPolicy
    ) -> None:
        self.progress, self.cancel, self.policy = progress, cancel, policy
        self._last = 0.0

    def on_progress(self, status: dict[str, Any]) -> None:
        if self.cancel():
            raise DownloadCancelled()
        if self.progress is None or status.get("status") not in ("downloading", "finished"):
            return
        now = time.monotonic()
        if status.get("status") == "finished" or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            total = status.get("total_bytes") or status.get("total_bytes_estimate")
            self.progress(int(status.get("downloaded_bytes") or 0), total and int(total))

    def before_retry(self, n: int) -> float:
        """yt-dlp asks how long to wait before retry n: we wait here, in slices, watching cancel."""
        wait_unless_cancelled(self.policy.ytdlp_wait(n), self.cancel)
        return 0.0


def ytdlp_options(
    url: str,
    options: FetchOptions,
    policy: RetryPolicy,
    *,
    hooks: YtDlpHooks,
    logger: YtDlpLogger,
    cachedir: Path | None,
) -> dict[str, Any]:
    """The parameters of a yt-dlp instance that may serve many downloads: nothing in them
    belongs to one download (the work folder is set per download, `hooks` forwards to the
    current download's callbacks)."""
    is_youtube = is_youtube_url(url)
    params: dict[str, Any] = {
        "format": "bestaudio/best",
        "outtmpl": {"default": "source.%(ext)s"},
        "noplaylist": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        # The player script and challenge solutions, kept between tracks and restarts.
        "cachedir": str(cachedir) if cachedir is not None else False,
        "fixup": "never",  # ffmpeg rewrites the container anyway
        "ffmpeg_location": ffmpeg_path(),
        "socket_timeout": policy.socket_timeout(),
        "retries": policy.media_retries,
        "fragment_retries": policy.media_retries,
        "extractor_retries": policy.extractor_retries,
        "retry_sleep_functions": dict.fromkeys(_RETRY_KINDS, hooks.before_retry),
        "progress_hooks": [hooks.on_progress],
        "logger": logger,
        # Only the extractor our URL is meant for: a page can never send yt-dlp elsewhere.
        "allowed_extractors": ["youtube"] if is_youtube else ["generic"],
    }
    if options.cookiefile is not None:
        # yt-dlp writes its cookie file back on close: it gets a private copy, never the upload.
        params["cookiefile"] = private_jar(options.cookiefile)
    runtime = options.js_runtime or find_js_runtime()
    if is_youtube and runtime:
        params["js_runtimes"] = {"deno": {"path": runtime}}
    return params


def is_youtube_url(url: str) -> bool:
    return url.startswith(("https://www.youtube.com/", "https://music.youtube.com/"))
