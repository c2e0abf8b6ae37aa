"""How a fetch fails or stops: yt-dlp's errors as plain typed reasons, then against the sandbox
cancels, server errors and what is tried again, bot checks, unknown videos and refused URLs, each
leaving the work folder empty."""

from __future__ import annotations

import errno
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from yt_dlp.cookies import CookieLoadError
from yt_dlp.utils import DownloadCancelled, DownloadError

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.classify import BOT_CHECK_REASON, classify_error
from downloads.pipeline.fetch.retry import RetryPolicy
from tests.pipeline.fetching import fetch_into as _fetch

# ---- unit: how yt-dlp's errors read -----------------------------------------------------------

YT = "ERROR: [youtube] dQw4w9WgXcQ: "
YT_DLP_ERRORS = [
    (YT + "Sign in to confirm you\u2019re not a bot. Use --cookies", "bot_check", False),
    (YT + "Sign in to confirm your age. This video may be inappropriate", "age_restricted", False),
    (YT + "Private video. Sign in if you've been granted access", "private", False),
    (YT + "Video unavailable. This video has been removed by the uploader", "removed", False),
    ("ERROR: unable to download video data: HTTP Error 503: Service Unavailable", "network", True),
    ("ERROR: [download] Got error: The read operation timed out. Giving up", "network", True),
    ("ERROR: unable to write data: [Errno 28] No space left on device", "disk_full", False),
    (YT + "Requested format is not available", "outdated", False),
    ("ERROR: unable to download video data: HTTP Error 403: Forbidden", "forbidden", True),
]


@pytest.mark.parametrize(("message", "kind", "retryable"), YT_DLP_ERRORS)
def test_yt_dlp_errors_become_plain_typed_reasons(message, kind, retryable):
    error = classify_error(DownloadError(message))

    assert (error.kind, error.retryable) == (kind, retryable)
    assert "ERROR" not in error.reason
    assert "[youtube]" not in error.reason


def test_the_bot_check_reason_tells_what_to_do():
    error = classify_error(DownloadError("ERROR: Sign in to confirm you're not a bot"))

    assert (
        error.reason == "YouTube asks to confirm you are not a bot: add a cookies file in Settings"
    )


def test_a_full_disk_is_recognised_through_the_exception_chain():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise DownloadError("unable to write data", exc_info=(type(exc), exc, None)) from exc
    except DownloadError as wrapped:
        error = classify_error(wrapped)

    assert error.kind == "disk_full"


def test_a_cancel_is_its_own_kind():
    assert classify_error(DownloadCancelled()).kind == "cancelled"


# ---- integration: the sandbox's media server --------------------------------------------------

# Short pauses and few resumes: the tests watch what happens, not how long production waits.
QUICK = RetryPolicy(backoff_s=0.1, media_retries=2)


def _is_empty(workdir: Path) -> bool:
    return not any(workdir.iterdir())


def _raises_fetch_error(url: str, workdir: Path, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        _fetch(url, workdir, **kwargs)
    return caught.value


@pytest.mark.integration
def test_cancel_stops_a_slow_download_long_before_it_ends(media_sandbox, long_track, workdir):
    url = long_track.media_url(media_sandbox)
    whole_download_s = int(httpx.head(url).headers["content-length"]) / 4_000
    media_sandbox.media_knobs.update({"bandwidth": 4_000})
    cancelled = threading.Event()
    threading.Timer(1.0, cancelled.set).start()

    started = time.monotonic()
    error = _raises_fetch_error(url, workdir, cancel=cancelled.is_set)

    assert error.kind == "cancelled"
    # Stopped long before the download could have finished on its own.
    assert time.monotonic() - started < whole_download_s / 2
    assert _is_empty(workdir)


@pytest.mark.integration
def test_a_stalled_connection_sees_the_cancel_at_its_read_timeout(
    media_sandbox, long_track, workdir
):
    """The stage itself notices a cancel on a stalled read only when the read times out; the
    worker does not wait for that (it abandons the thread: tests/jobs/test_workers.py)."""
    latency = 8.0
    media_sandbox.media_knobs.update({"latency": latency})  # the server answers nothing for 8 s
    cancelled = threading.Event()
    threading.Timer(0.5, cancelled.set).start()
    short_reads = RetryPolicy(socket_timeout_s=1.5)

    started = time.monotonic()
    error = _raises_fetch_error(
        long_track.media_url(media_sandbox), workdir, cancel=cancelled.is_set, policy=short_reads
    )

    assert error.kind == "cancelled"
    assert time.monotonic() - started < latency  # cut short before the server ever answered
    assert _is_empty(workdir)


def test_yt_dlp_waits_on_a_silent_connection_as_long_as_the_setting_says(settings) -> None:
    settings.YTDLP_SOCKET_TIMEOUT = 20.0

    assert RetryPolicy().socket_timeout() == 20.0
    assert RetryPolicy(socket_timeout_s=1.5).socket_timeout() == 1.5


@pytest.mark.integration
def test_cancel_during_the_pause_between_attempts_stops_at_once(
    media_sandbox, short_track, workdir
):
    media_sandbox.media_knobs.fail_next(50, "503", path="/watch")
    cancelled = threading.Event()
    threading.Timer(1.0, cancelled.set).start()

    slow = RetryPolicy(backoff_s=30.0)

    started = time.monotonic()
    error = _raises_fetch_error(
        short_track.media_url(media_sandbox), workdir, cancel=cancelled.is_set, policy=slow
    )

    assert error.kind == "cancelled"
    assert time.monotonic() - started < slow.backoff(1)  # the pause was cut short
    assert _is_empty(workdir)


@pytest.mark.integration
def test_server_errors_are_network_errors_worth_retrying(media_sandbox, short_track, workdir):
    media_sandbox.media_knobs.fail_next(50, "503", path="/watch")

    error = _raises_fetch_error(short_track.media_url(media_sandbox), workdir, policy=QUICK)

    assert (error.kind, error.retryable) == ("network", True)
    assert "HTTP 503" in error.reason
    assert _is_empty(workdir)


@pytest.mark.integration
def test_a_server_error_before_the_download_starts_is_tried_again(
    media_sandbox, short_track, workdir
):
    media_sandbox.media_knobs.fail_next(1, "503", path="/watch")

    fetched = _fetch(short_track.media_url(media_sandbox), workdir)

    assert media_sandbox.media.identify(fetched.path, [short_track.right]) == short_track.right


@pytest.mark.integration
def test_a_body_cut_off_once_is_resumed_by_yt_dlp(media_sandbox, short_track, workdir):
    url = short_track.media_url(media_sandbox)
    # yt-dlp's first request only looks at the URL's headers; the second one is the download.
    media_sandbox.media_knobs.fail_next(2, "truncate", path="/watch")

    fetched = _fetch(url, workdir, policy=RetryPolicy(attempts=1, media_retries=3))

    assert media_sandbox.media.identify(fetched.path, [short_track.right]) == short_track.right


@pytest.mark.integration
def test_bodies_that_keep_getting_cut_off_are_network_errors(media_sandbox, short_track, workdir):
    media_sandbox.media_knobs.update({"truncate_rate": 1.0})

    error = _raises_fetch_error(short_track.media_url(media_sandbox), workdir, policy=QUICK)

    assert (error.kind, error.retryable) == ("network", True)
    assert _is_empty(workdir)


@pytest.mark.integration
def test_the_bot_check_asks_for_a_cookies_file(media_sandbox, short_track, workdir):
    media_sandbox.media_knobs.update({"bot_check": True})

    error = _raises_fetch_error(short_track.media_url(media_sandbox), workdir)

    assert (error.kind, error.retryable, error.reason) == ("bot_check", False, BOT_CHECK_REASON)
    assert _is_empty(workdir)


@pytest.mark.integration
def test_an_unknown_video_is_unavailable(media_sandbox, workdir):
    error = _raises_fetch_error(media_sandbox.watch_url("AAAAAAAAAAA"), workdir)

    assert (error.kind, error.retryable) == ("unavailable", False)
    assert _is_empty(workdir)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "file:///etc/passwd",
        "http://127.0.0.1:1/watch?v=dQw4w9WgXcQ",
    ],
)
def test_urls_outside_the_allow_list_are_refused_before_any_download(url, workdir):
    error = _raises_fetch_error(url, workdir)

    assert (error.kind, error.retryable) == ("other", False)
    assert _is_empty(workdir)


def test_a_cookies_file_yt_dlp_cannot_load_is_reported_without_its_lines() -> None:
    cause = CookieLoadError("invalid line: youtube.com\tTRUE\t/\tTRUE\t0\tSID\tsession-secret")
    error = DownloadError("ERROR: failed to load cookies")
    error.__cause__ = cause

    reason = classify_error(error).reason

    assert "session-secret" not in reason
    assert "cookies file in Settings" in reason
