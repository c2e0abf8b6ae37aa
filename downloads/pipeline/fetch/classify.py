"""Whatever yt-dlp, ffmpeg or the OS raised, as a FetchError with a reason a person can act on."""

from __future__ import annotations

import errno
import http.cookiejar
import re

from yt_dlp.cookies import CookieLoadError
from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.errors import FetchError

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
COOKIES_REASON = (
    "yt-dlp cannot read the cookies file in Settings: upload a freshly exported cookies.txt, "
    "or remove it."
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


def cancelled_error() -> FetchError:
    return FetchError(CANCELLED_REASON, "cancelled", retryable=False)


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


def classify_error(exc: BaseException) -> FetchError:
    """Turn whatever yt-dlp, ffmpeg or the OS raised into a FetchError a person can act on."""
    chain = _chain(exc)
    if any(isinstance(e, FetchError) for e in chain):
        return next(e for e in chain if isinstance(e, FetchError))
    if any(isinstance(e, DownloadCancelled) for e in chain):
        return cancelled_error()
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
