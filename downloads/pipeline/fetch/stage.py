"""The fetch stage: one URL's audio as a file in the caller's work folder, retried per policy.

The caller owns the work folder (creates it, removes it); it must exist and is this call's
alone while it runs. The stage writes only inside it, and empties it before every attempt and
when it fails, so a failed or cancelled fetch leaves nothing of its own behind.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.classify import cancelled_error, classify_error
from downloads.pipeline.fetch.convert import AUDIO_FORMATS, codec_of, convert, plan_output
from downloads.pipeline.fetch.download import download_source, page_read
from downloads.pipeline.fetch.options import FetchOptions, Hooks, ProgressCallback
from downloads.pipeline.fetch.retry import (
    RETRY_POLICY,
    CancelCheck,
    RetryPolicy,
    wait_unless_cancelled,
)
from downloads.pipeline.sources.common import is_allowed_media_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FetchedAudio:
    """A finished, untagged file inside the caller's work folder."""

    path: Path
    ext: str
    codec: str
    source_codec: str
    converted: bool


@dataclass(frozen=True, slots=True)
class Page:
    """An upload's page read ahead of its download: yt-dlp's extraction (its stream URLs), or
    why it failed, which `fetch` raises as its first attempt's failure."""

    url: str
    extracted: dict[str, Any] | None
    error: FetchError | None = None


def read_ahead(
    url: str,
    *,
    options: FetchOptions,
    cancel: CancelCheck = lambda: False,
    policy: RetryPolicy = RETRY_POLICY,
) -> Page | None:
    """Read `url`'s page now, in this thread, so its download can start with the media itself
    once a connection is free. A failure is kept for `fetch` to meet under its retry policy:
    asking again now would spend another request (and strike) on the same answer."""
    if not is_allowed_media_url(url) or cancel():
        return None
    try:
        extracted = page_read(url, options, Hooks(None, cancel, policy), policy)
    except FetchError as error:
        return Page(url, None, error)
    return Page(url, extracted) if extracted is not None else None


def fetch(
    url: str,
    *,
    options: FetchOptions,
    workdir: Path,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck = lambda: False,
    policy: RetryPolicy = RETRY_POLICY,
    downloaded: Callable[[], None] | None = None,
    page: Page | None = None,
) -> FetchedAudio:
    """Download and convert in this thread; run it on a pool sized for downloads.

    Tries again as `policy` says, so callers call it once. `progress(downloaded_bytes,
    total_or_None)` and `cancel()` are called from this thread (keep them cheap and
    thread-safe); `cancel()` returning True stops the fetch within about two seconds.
    `downloaded()`, from this thread too, says an attempt's bytes are in and only local work
    (the remux or ffmpeg) is left (a caller may start its next download meanwhile). `page`,
    read ahead by `read_ahead` for this URL, spares the first attempt its page; later attempts
    read it again (its stream URLs may be what failed).
    Every failure, a cancel included, is a FetchError with a plain reason.
    """
    if not is_allowed_media_url(url):
        raise FetchError("Refused a media URL that no search source produced.", "other", False)
    if options.audio_format not in AUDIO_FORMATS:
        raise FetchError(f"Unknown audio format {options.audio_format!r}.", "other", False)
    if not workdir.is_dir():
        raise FileNotFoundError(f"the caller's work folder {workdir} does not exist")
    ahead = page if page is not None and page.url == url else None
    attempt = 1
    while True:
        try:
            hooks = Hooks(progress, cancel, policy)
            return _attempt(url, options, workdir, hooks, downloaded, ahead)
        except FetchError as error:
            if not policy.should_retry(error, attempt):
                raise
            logger.info("Fetch of %s failed (%s); trying again", url, error.reason)
        _pause(policy.backoff(attempt), cancel)
        attempt, ahead = attempt + 1, None


def _attempt(
    url: str,
    options: FetchOptions,
    workdir: Path,
    hooks: Hooks,
    downloaded: Callable[[], None] | None,
    ahead: Page | None,
) -> FetchedAudio:
    cancel = hooks.cancel
    try:
        _empty(workdir)  # whatever an earlier attempt, or a killed worker, left
        if ahead is not None and ahead.error is not None:
            raise ahead.error
        extracted = ahead.extracted if ahead is not None else None
        raw = download_source(url, workdir, options, hooks, hooks.policy, extracted)
        if downloaded is not None:
            downloaded()
        source_codec = codec_of(raw)
        plan = plan_output(source_codec, options.audio_format)
        target = workdir / f"audio.{plan.ext}"
        convert(raw, target, plan, cancel)
        raw.unlink()
        return FetchedAudio(target, plan.ext, plan.codec, source_codec, not plan.copies)
    except BaseException as exc:
        _empty(workdir)
        if not isinstance(exc, Exception):
            raise
        if cancel():
            # A cancel that lands while a stalled request times out shows up as a network
            # error; the person asked to stop, so that is what we report.
            raise cancelled_error() from exc
        raise classify_error(exc) from exc


def _pause(seconds: float, cancel: CancelCheck) -> None:
    try:
        wait_unless_cancelled(seconds, cancel)
    except DownloadCancelled as exc:
        raise cancelled_error() from exc


def _empty(workdir: Path) -> None:
    entries = list(workdir.iterdir()) if workdir.is_dir() else []
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
