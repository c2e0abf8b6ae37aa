"""Fetch: yt-dlp downloads the best audio stream, ffmpeg remuxes or converts it.

The raw stream lands in `MUSIC_ROOT/.incoming/<uuid>/` (same filesystem as the library, so the
store's final rename is atomic). `original` keeps the codec (stream copy into Ogg or MP4);
conversions happen only when asked. Every failure becomes a `FetchError` with a plain reason,
and the work folder is removed on any failure or cancel.
"""

from __future__ import annotations

import asyncio
import errno
import http.cookiejar
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, get_args

import yt_dlp
from django.conf import settings
from yt_dlp.cookies import CookieLoadError
from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.errors import FetchError
from downloads.pipeline.sources.common import YtDlpLogger, is_allowed_media_url
from spotifydl.ffmpeg import ffmpeg_path

AudioFormat = Literal["original", "mp3", "mp3-v0", "m4a", "opus"]
AUDIO_FORMATS: tuple[AudioFormat, ...] = get_args(AudioFormat)
ProgressCallback = Callable[[int, int | None], None]
CancelCheck = Callable[[], bool]

INCOMING = ".incoming"
CONVERT_TIMEOUT_S = 600
PROGRESS_INTERVAL_S = 0.25
_POLL_S = 0.1
DOWNLOAD_ATTEMPTS = 3
_RETRY_KINDS = ("http", "fragment", "extractor")
_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio: ([A-Za-z0-9_]+)")


# ---- options and results ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchOptions:
    audio_format: AudioFormat = "original"
    cookiefile: Path | None = None  # Netscape cookies of a signed-in account (bot/age checks)
    js_runtime: str | None = None  # deno binary for YouTube's player JS; found when None
    # A short read timeout is what lets a stalled connection notice a cancel: yt-dlp retries
    # (resuming with Range) after each timeout, and the retry hook checks the cancel flag.
    socket_timeout: float = 1.5
    retries: int = 10


@dataclass(frozen=True, slots=True)
class FetchedAudio:
    """A finished file in its own work folder; `discard()` (or leaving a `with`) removes both."""

    path: Path
    ext: str
    codec: str
    source_codec: str
    converted: bool
    workdir: Path

    def discard(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> FetchedAudio:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


@dataclass(frozen=True, slots=True)
class OutputPlan:
    ext: str
    codec: str
    args: tuple[str, ...]

    @property
    def copies(self) -> bool:
        return self.args[:2] == ("-c:a", "copy")


# ---- what ffmpeg does -------------------------------------------------------------------------

_COPY = ("-c:a", "copy")
# Containers that hold each codec without re-encoding.
_ORIGINAL_EXT = {"opus": "opus", "aac": "m4a", "vorbis": "ogg", "mp3": "mp3"}
_ENCODE = {
    "mp3": ("mp3", "mp3", ("-c:a", "libmp3lame", "-b:a", "320k")),
    "mp3-v0": ("mp3", "mp3", ("-c:a", "libmp3lame", "-q:a", "0")),
    "m4a": ("m4a", "aac", ("-c:a", "aac", "-b:a", "256k")),
    "opus": ("opus", "opus", ("-c:a", "libopus", "-b:a", "160k")),
}
_TARGET_CODEC = {"mp3": "mp3", "mp3-v0": "mp3", "m4a": "aac", "opus": "opus"}


def plan_output(source_codec: str, audio_format: AudioFormat) -> OutputPlan:
    """Stream copy whenever the wanted codec is already there; encode only otherwise."""
    if audio_format == "original":
        if source_codec in _ORIGINAL_EXT:
            return OutputPlan(_ORIGINAL_EXT[source_codec], source_codec, _COPY)
        # A codec no tag format covers (rare on YouTube): Opus keeps the most of it.
        audio_format = "opus"
    if _TARGET_CODEC[audio_format] == source_codec:
        return OutputPlan(_ENCODE[audio_format][0], source_codec, _COPY)
    ext, codec, args = _ENCODE[audio_format]
    return OutputPlan(ext, codec, args)


def probe_codec(path: Path) -> str:
    """The first audio stream's codec name as ffmpeg reports it ("opus", "aac", "mp3", ...)."""
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
    )
    match = _STREAM.search(result.stderr)
    if match is None:
        raise FetchError("The downloaded file holds no audio stream.", "other", retryable=True)
    return match.group(1).lower()


def _ffmpeg_command(source: Path, target: Path, plan: OutputPlan) -> list[str]:
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-i", str(source), "-map", "0:a:0", "-vn", "-sn", "-dn"]
    # The upload's own tags and chapters are dropped: the tag stage writes ours.
    command += ["-map_metadata", "-1", "-map_chapters", "-1", *plan.args]
    if plan.ext == "m4a":
        command += ["-movflags", "+faststart"]  # the in-browser player can start before the end
    return [*command, str(target)]


def convert(source: Path, target: Path, plan: OutputPlan, cancel: CancelCheck) -> None:
    """Run ffmpeg, polling `cancel` so a long encode stops promptly.

    Its messages go to a temporary file off the music disk: when that disk is full, they are
    what says so.
    """
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            _ffmpeg_command(source, target, plan), stdout=subprocess.DEVNULL, stderr=stderr
        )
        _wait(process, cancel)
        if process.returncode == 0:
            return
        stderr.seek(0)
        message = stderr.read().decode(errors="replace")
    raise _ffmpeg_error(message, target)


def _wait(process: subprocess.Popen[bytes], cancel: CancelCheck) -> None:
    deadline = time.monotonic() + CONVERT_TIMEOUT_S
    while True:
        try:
            process.wait(timeout=_POLL_S)
            return
        except subprocess.TimeoutExpired:
            if cancel() or time.monotonic() > deadline:
                process.kill()
                process.wait()
                if cancel():
                    raise DownloadCancelled() from None
                raise FetchError("ffmpeg took too long to convert.", "other", True) from None


def _ffmpeg_error(stderr: str, target: Path) -> FetchError:
    if "No space left on device" in stderr or _disk_is_full(target.parent):
        return disk_full_error()
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "no message"
    return FetchError(f"ffmpeg could not convert the audio: {last}", "other", retryable=False)


def _disk_is_full(directory: Path) -> bool:
    """Less room left than one more audio block: ffmpeg's own message may not say so."""
    try:
        return shutil.disk_usage(directory).free < 64 * 1024
    except OSError:
        return False


# ---- errors -----------------------------------------------------------------------------------

BOT_CHECK_REASON = "YouTube asks to confirm you are not a bot: add a cookies file in Settings"
AGE_REASON = (
    "This video is age-restricted: add a cookies file of a signed-in, age-verified account "
    "in Settings"
)
UNAVAILABLE_REASON = "The video is unavailable (private, removed or blocked in this country)"
CANCELLED_REASON = "Cancelled"
FORBIDDEN_REASON = (
    "YouTube refused the download (HTTP 403); it can be retried, and a cookies file in Settings "
    "may help"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOT = ("not a bot", "ip is likely being blocked")
_AGE = ("confirm your age", "age-restricted", "age restricted", "inappropriate for some users")
_GONE = (
    "private video", "video unavailable", "has been removed", "no longer available",
    "video is not available", "account associated with this video has been terminated",
    "http error 404", "http error 410", "does not exist", "members-only", "premieres in",
)  # fmt: skip
_NETWORK = (
    "http error 5", "timed out", "timeout", "connection", "reset by peer", "incompleteread",
    "content too short", "did not get any data", "temporary failure",
    "name resolution", "network is unreachable", "giving up after", "eof occurred",
    "remote end closed", "http error 429",
)  # fmt: skip


def disk_full_error() -> FetchError:
    return FetchError(
        "The disk holding the music folder is full: free some space, then retry.",
        "disk_full",
        retryable=False,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, yt-dlp's wrapped original (exc_info) and the __cause__/__context__ chain."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        wrapped = getattr(current, "exc_info", None)
        inner = wrapped[1] if isinstance(wrapped, tuple) and len(wrapped) > 1 else None
        pending += [current.__cause__, current.__context__, inner]
    return seen


def _network_detail(text: str) -> str:
    status = re.search(r"http error (\d{3})", text)
    if status:
        return f"the server answered HTTP {status.group(1)}"
    if "timed out" in text or "timeout" in text:
        return "the connection timed out"
    if "reset" in text or "broken" in text or "too short" in text or "incompleteread" in text:
        return "the connection was cut off"
    return "no connection"


def plain_message(exc: BaseException) -> str:
    text = _ANSI.sub("", str(exc)).strip()
    text = re.sub(r"^ERROR:\s*", "", text)
    return re.sub(r"^\[[\w:]+\]\s*[\w-]+:\s*", "", text)  # "[generic] abc123: " prefixes


COOKIES_REASON = (
    "yt-dlp cannot read the cookies file in Settings: upload a freshly exported cookies.txt, "
    "or remove it."
)


def classify_error(exc: BaseException) -> FetchError:
    """Turn whatever yt-dlp, ffmpeg or the OS raised into a FetchError a person can act on."""
    chain = _chain(exc)
    if any(isinstance(e, FetchError) for e in chain):
        return next(e for e in chain if isinstance(e, FetchError))
    if any(isinstance(e, DownloadCancelled) for e in chain):
        return FetchError(CANCELLED_REASON, "cancelled", retryable=False)
    if any(isinstance(e, CookieLoadError | http.cookiejar.LoadError) for e in chain):
        # yt-dlp's message quotes the offending line, session cookie values included.
        return FetchError(COOKIES_REASON, "other", retryable=False)
    text = " ".join(plain_message(e) for e in chain).lower()
    if any(isinstance(e, OSError) and e.errno == errno.ENOSPC for e in chain) or (
        "no space left on device" in text or "[errno 28]" in text
    ):
        return disk_full_error()
    if any(marker in text for marker in _BOT):
        return FetchError(BOT_CHECK_REASON, "bot_check", retryable=False)
    if any(marker in text for marker in _AGE):
        return FetchError(AGE_REASON, "age_restricted", retryable=False)
    if any(marker in text for marker in _GONE):
        return FetchError(UNAVAILABLE_REASON, "unavailable", retryable=False)
    if any(marker in text for marker in _NETWORK):
        return FetchError(
            f"The download failed on the network ({_network_detail(text)}); it can be retried.",
            "network",
            retryable=True,
        )
    if "http error 403" in text:
        # A 403 from YouTube's media servers is usually an expired signed URL: a fresh try helps.
        return FetchError(FORBIDDEN_REASON, "other", retryable=True)
    return FetchError(f"The download failed: {plain_message(exc)[:300]}", "other", retryable=False)


# ---- yt-dlp -----------------------------------------------------------------------------------


def find_js_runtime() -> str | None:
    """yt-dlp needs a JavaScript runtime for YouTube: the `deno` wheel's binary, else PATH."""
    try:
        import deno

        return str(deno.find_deno_bin())
    except (ImportError, FileNotFoundError, AttributeError):
        return shutil.which("deno")


class _Hooks:
    """Progress and cancel, called from yt-dlp's thread for every chunk and every retry."""

    def __init__(self, progress: ProgressCallback | None, cancel: CancelCheck) -> None:
        self.progress, self.cancel = progress, cancel
        self.started = False  # True once the media download itself has begun
        self._last = 0.0

    def on_progress(self, status: dict[str, Any]) -> None:
        if self.cancel():
            raise DownloadCancelled()
        self.started = True
        if self.progress is None or status.get("status") not in ("downloading", "finished"):
            return
        now = time.monotonic()
        if status.get("status") == "finished" or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            total = status.get("total_bytes") or status.get("total_bytes_estimate")
            self.progress(int(status.get("downloaded_bytes") or 0), total and int(total))

    def before_retry(self, n: int) -> float:
        """yt-dlp asks how long to wait before retry n: we wait here, in slices, watching cancel."""
        deadline = time.monotonic() + min(0.25 * 2**n, 2.0)
        while True:
            if self.cancel():
                raise DownloadCancelled()
            if time.monotonic() >= deadline:
                return 0.0
            time.sleep(_POLL_S)


def ytdlp_options(workdir: Path, options: FetchOptions, hooks: _Hooks, url: str) -> dict[str, Any]:
    is_youtube = url.startswith(("https://www.youtube.com/", "https://music.youtube.com/"))
    params: dict[str, Any] = {
        "format": "bestaudio/best",
        "outtmpl": {"default": str(workdir / "source.%(ext)s")},
        "noplaylist": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "cachedir": False,
        "fixup": "never",  # ffmpeg rewrites the container anyway
        "ffmpeg_location": ffmpeg_path(),
        "socket_timeout": options.socket_timeout,
        "retries": options.retries,
        "fragment_retries": options.retries,
        "extractor_retries": 3,
        "retry_sleep_functions": dict.fromkeys(_RETRY_KINDS, hooks.before_retry),
        "progress_hooks": [hooks.on_progress],
        "logger": YtDlpLogger("downloads.pipeline.ytdlp"),
        # Only the extractor our URL is meant for: a page can never send yt-dlp elsewhere.
        "allowed_extractors": ["youtube"] if is_youtube else ["generic"],
    }
    if options.cookiefile is not None:
        params["cookiefile"] = str(options.cookiefile)
    runtime = options.js_runtime or find_js_runtime()
    if is_youtube and runtime:
        params["js_runtimes"] = {"deno": {"path": runtime}}
    return params


def _download(url: str, workdir: Path, options: FetchOptions, hooks: _Hooks) -> Path:
    with yt_dlp.YoutubeDL(ytdlp_options(workdir, options, hooks, url)) as ydl:
        info = ydl.extract_info(url, download=True)
    downloads = (info or {}).get("requested_downloads") or []
    paths = [Path(d["filepath"]) for d in downloads if d.get("filepath")]
    paths += sorted(p for p in workdir.glob("source.*") if p.suffix != ".part")
    existing = [p for p in paths if p.is_file()]
    if not existing:
        raise FetchError("yt-dlp finished without producing a file.", "other", retryable=True)
    return existing[0]


def _download_with_retries(url: str, workdir: Path, options: FetchOptions, hooks: _Hooks) -> Path:
    """yt-dlp retries the media download itself, but not the extractor's first requests: a
    server slow to answer those (past the short read timeout) gets a few more tries here."""
    for attempt in range(DOWNLOAD_ATTEMPTS):
        try:
            return _download(url, workdir, options, hooks)
        except yt_dlp.utils.DownloadError as exc:
            error = classify_error(exc)
            # Once bytes flowed, yt-dlp has spent its own retries: more here would only add time.
            if error.kind != "network" or hooks.started or attempt == DOWNLOAD_ATTEMPTS - 1:
                raise
            hooks.before_retry(attempt)  # waits a little, and raises if cancelled meanwhile
    raise AssertionError("unreachable")


# ---- the stage --------------------------------------------------------------------------------


def incoming_dir(music_root: Path | None = None) -> Path:
    root = Path(music_root if music_root is not None else settings.MUSIC_ROOT)
    return root / INCOMING


def fetch_blocking(
    url: str,
    *,
    options: FetchOptions,
    workdir: Path,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck = lambda: False,
) -> FetchedAudio:
    """Download and convert in this thread; removes `workdir` unless it returns a file."""
    if not is_allowed_media_url(url):
        raise FetchError("Refused a media URL that no search source produced.", "other", False)
    if options.audio_format not in AUDIO_FORMATS:
        raise FetchError(f"Unknown audio format {options.audio_format!r}.", "other", False)
    hooks = _Hooks(progress, cancel)
    try:
        # The folder is this call's alone: whatever an earlier, killed attempt left goes.
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        raw = _download_with_retries(url, workdir, options, hooks)
        source_codec = probe_codec(raw)
        plan = plan_output(source_codec, options.audio_format)
        target = workdir / f"audio.{plan.ext}"
        convert(raw, target, plan, cancel)
        raw.unlink()
        return FetchedAudio(target, plan.ext, plan.codec, source_codec, not plan.copies, workdir)
    except BaseException as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        if not isinstance(exc, Exception):
            raise
        if cancel():
            # A cancel that lands while a stalled request times out shows up as a network
            # error; the person asked to stop, so that is what we report.
            raise FetchError(CANCELLED_REASON, "cancelled", retryable=False) from exc
        raise classify_error(exc) from exc


async def fetch_audio(
    url: str,
    *,
    executor: ThreadPoolExecutor,
    options: FetchOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    music_root: Path | None = None,
) -> FetchedAudio:
    """Fetch one track on `executor` (a pool sized for downloads, not asyncio's default).

    `progress(downloaded_bytes, total_or_None)` runs on the event loop, at most 4 times a second.
    `cancel()` runs in the download thread (keep it cheap and thread-safe); True stops the
    download within about two seconds. Cancelling the awaiting task stops it the same way.
    """
    loop = asyncio.get_running_loop()
    stop = threading.Event()
    user_cancel = cancel or (lambda: False)
    forward = None
    if progress is not None:
        callback = progress

        def forward(done: int, total: int | None) -> None:
            loop.call_soon_threadsafe(callback, done, total)

    workdir = incoming_dir(music_root) / uuid.uuid4().hex
    job = loop.run_in_executor(
        executor,
        lambda: fetch_blocking(
            url,
            options=options or FetchOptions(),
            workdir=workdir,
            progress=forward,
            cancel=lambda: stop.is_set() or user_cancel(),
        ),
    )
    try:
        return await job
    except asyncio.CancelledError:
        stop.set()  # the thread notices, removes its work folder and ends
        raise
