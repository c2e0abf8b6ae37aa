"""Fetch against the sandbox over real HTTP, with real yt-dlp and real ffmpeg."""

from __future__ import annotations

import errno
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from mutagen.mp3 import MP3, BitrateMode
from yt_dlp.cookies import CookieLoadError
from yt_dlp.utils import DownloadCancelled, DownloadError

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.classify import BOT_CHECK_REASON, classify_error
from downloads.pipeline.fetch.convert import plan_output, probe_codec
from downloads.pipeline.fetch.options import FetchOptions
from downloads.pipeline.fetch.retry import RetryPolicy
from downloads.pipeline.fetch.stage import FetchedAudio, fetch
from spotifydl.ffmpeg import ffmpeg_path

# ---- unit: what ffmpeg is asked to do, and how errors read ------------------------------------


@pytest.mark.parametrize(
    ("source", "wanted", "ext", "codec", "copies"),
    [
        ("opus", "original", "opus", "opus", True),
        ("aac", "original", "m4a", "aac", True),
        ("vorbis", "original", "ogg", "vorbis", True),
        ("flac", "original", "opus", "opus", False),
        ("opus", "mp3", "mp3", "mp3", False),
        ("aac", "mp3-v0", "mp3", "mp3", False),
        ("mp3", "mp3", "mp3", "mp3", True),
        ("opus", "m4a", "m4a", "aac", False),
        ("aac", "m4a", "m4a", "aac", True),
        ("aac", "opus", "opus", "opus", False),
        ("opus", "opus", "opus", "opus", True),
    ],
)
def test_streams_are_copied_when_the_codec_fits_and_encoded_otherwise(
    source, wanted, ext, codec, copies
):
    plan = plan_output(source, wanted)

    assert (plan.ext, plan.codec, plan.copies) == (ext, codec, copies)


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


def _packets(path: Path) -> list[str]:
    """Per-packet checksums of the audio stream: equal lists mean the stream was not re-encoded."""
    result = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
         "-c", "copy", "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    # Fields: stream, dts, pts, duration, size, payload hash[, side data]. Only the payload
    # counts: containers carry timing side data (Opus pre-skip, padding) in different places.
    return [line.split(",")[5].strip() for line in result.stdout.splitlines()
            if line and not line.startswith("#")]  # fmt: skip


# Short pauses and few resumes: the tests watch what happens, not how long production waits.
QUICK = RetryPolicy(backoff_s=0.1, media_retries=2)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The work folder the caller (the worker) owns and hands to the stage."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def _fetch(url: str, workdir: Path, **kwargs: Any) -> FetchedAudio:
    return fetch(url, options=kwargs.pop("options", FetchOptions()), workdir=workdir, **kwargs)


def _is_empty(workdir: Path) -> bool:
    return not any(workdir.iterdir())


def _raises_fetch_error(url: str, workdir: Path, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        _fetch(url, workdir, **kwargs)
    return caught.value


@pytest.mark.integration
@pytest.mark.parametrize(
    ("source_ext", "ext", "codec"), [("webm", "opus", "opus"), ("m4a", "m4a", "aac")]
)
def test_original_keeps_the_stream_bit_for_bit(
    media_sandbox, short_track, workdir, source_ext, ext, codec
):
    url = short_track.media_url(media_sandbox, source_ext)

    fetched = _fetch(url, workdir)

    source = media_sandbox.media.cache.path(short_track.right, source_ext, "tiny")
    assert fetched.path.suffix == f".{ext}"
    assert fetched.path.parent == workdir
    assert (fetched.codec, fetched.source_codec, fetched.converted) == (codec, codec, False)
    assert probe_codec(fetched.path) == codec
    assert _packets(fetched.path) == _packets(source)
    candidates = [short_track.right, *short_track.wrong]
    assert media_sandbox.media.identify(fetched.path, candidates) == short_track.right
    assert list(workdir.iterdir()) == [fetched.path]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("audio_format", "ext", "codec"),
    [
        ("mp3", "mp3", "mp3"),
        ("mp3-v0", "mp3", "mp3"),
        ("m4a", "m4a", "aac"),
        ("opus", "opus", "opus"),
    ],
)
def test_conversions_give_the_asked_codec_and_the_same_recording(
    media_sandbox, short_track, workdir, audio_format, ext, codec
):
    source_ext = "m4a" if codec == "opus" else "webm"  # always a real conversion
    url = short_track.media_url(media_sandbox, source_ext)

    fetched = _fetch(url, workdir, options=FetchOptions(audio_format=audio_format))

    assert fetched.path.suffix == f".{ext}"
    assert fetched.converted
    assert probe_codec(fetched.path) == codec
    candidates = [short_track.right, *short_track.wrong]
    assert media_sandbox.media.identify(fetched.path, candidates) == short_track.right


@pytest.mark.integration
@pytest.mark.parametrize(
    ("audio_format", "mode"), [("mp3", BitrateMode.CBR), ("mp3-v0", BitrateMode.VBR)]
)
def test_mp3_is_320k_cbr_or_v0_vbr(media_sandbox, short_track, workdir, audio_format, mode):
    url = short_track.media_url(media_sandbox)

    fetched = _fetch(url, workdir, options=FetchOptions(audio_format=audio_format))

    info: Any = MP3(fetched.path).info  # type: ignore[no-untyped-call]
    assert info.bitrate_mode == mode
    if mode == BitrateMode.CBR:
        assert info.bitrate == 320_000


@pytest.mark.integration
def test_progress_reports_bytes_up_to_the_total(media_sandbox, long_track, workdir):
    seen: list[tuple[int, int | None]] = []

    fetched = _fetch(long_track.media_url(media_sandbox), workdir,
                     progress=lambda done, total: seen.append((done, total)))  # fmt: skip

    size = media_sandbox.media.cache.path(long_track.right, "webm", "tiny").stat().st_size
    assert fetched.path.exists()
    assert seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


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


@pytest.mark.integration
def test_one_thread_reuses_its_yt_dlp_instance_until_the_cookies_change(
    media_sandbox, short_track, tmp_path, monkeypatch, settings
):
    import yt_dlp

    from downloads.pipeline.fetch import download

    built: list[dict[str, Any]] = []

    class Counting(yt_dlp.YoutubeDL):  # type: ignore[misc]
        def __init__(self, params: dict[str, Any]) -> None:
            built.append(params)
            super().__init__(params)

    monkeypatch.setattr(yt_dlp, "YoutubeDL", Counting)
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tSID\tone\n")
    url = short_track.media_url(media_sandbox)
    download.forget_session()

    def run(n: int) -> Path:
        work = tmp_path / f"w{n}"
        work.mkdir()
        return fetch(url, options=FetchOptions(cookiefile=cookies), workdir=work).path

    paths = [run(0), run(1)]
    cookies.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tSID\ttwo2\n")
    paths.append(run(2))
    download.forget_session()

    assert len(built) == 2  # the second download reused the first's instance
    assert [p.parent.name for p in paths] == ["w0", "w1", "w2"]  # each in its own folder
    assert built[0]["cachedir"] == str(settings.YTDLP_CACHE_DIR)  # kept between runs
