"""Whatever yt-dlp, ffmpeg or the OS raised, as a FetchError with a reason a person can act on.

The markers below are read off yt-dlp's own texts (tests/pipeline/data/ytdlp_messages.json keeps
them as yt-dlp formats them). Order matters: YouTube's rate-limit answer starts with "Video
unavailable", and its captcha answer may too, so both are recognised before unavailability.
"""

from __future__ import annotations

import errno
import http.cookiejar
import re
from collections.abc import Iterable, Sequence

from yt_dlp.cookies import CookieLoadError
from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.errors import FetchError, FetchErrorKind

UPDATE_HINT = "run `make update-ytdlp`, or rebuild the Docker image"
RATE_LIMITED_REASON = (
    "YouTube asked us to slow down (too many videos in a short time); the download waits and "
    "tries again later."
)
CAPTCHA_REASON = (
    "YouTube wants a captcha solved before it plays videos: add a cookies file of a signed-in "
    "account in Settings."
)
BOT_CHECK_REASON = "YouTube asks to confirm you are not a bot: add a cookies file in Settings"
BOT_CHECK_SIGNED_IN_REASON = (
    "YouTube asks to confirm you are not a bot even with the cookies file in Settings: export a "
    "fresh cookies file from a signed-in browser and upload it."
)
AGE_REASON = (
    "This video is age-restricted: add a cookies file of a signed-in, age-verified account "
    "in Settings"
)
AGE_SIGNED_IN_REASON = (
    "This video is age-restricted and the account in the cookies file could not confirm its "
    "age: upload cookies of an age-verified account."
)
GEO_REASON = "This video is blocked in the server's country."
PRIVATE_REASON = "This video is private."
REMOVED_REASON = (
    "This video was removed from YouTube (by its uploader, over a claim, or with its account)."
)
UNAVAILABLE_REASON = "The video is unavailable (private, removed or blocked in this country)"
MEMBERS_REASON = "This video is only for paying channel members or YouTube Premium subscribers."
DRM_REASON = "This video is DRM-protected and cannot be downloaded."
LIVE_REASON = "This is a live stream or premiere without a recording to download (yet)."
OUTDATED_REASON = (
    f"yt-dlp could not get this video's audio; this usually means yt-dlp is out of date: "
    f"update it ({UPDATE_HINT})."
)
CHALLENGE_REASON = (
    f"yt-dlp could not solve YouTube's player challenge; yt-dlp is probably out of date: "
    f"update it ({UPDATE_HINT})."
)
CANCELLED_REASON = "Cancelled"
FORBIDDEN_REASON = (
    "YouTube refused the download (HTTP 403); it can be retried, and a cookies file in Settings "
    "may help"
)
COOKIES_REASON = (
    "yt-dlp cannot read the cookies file in Settings: upload a freshly exported cookies.txt, "
    "or remove it."
)
DISK_FULL_REASON = "The disk holding the music folder is full: free some space, then retry."

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# (kind, markers): the first kind with a marker in the lower-cased text wins.
_RULES: tuple[tuple[FetchErrorKind, tuple[str, ...]], ...] = (
    ("cookies_unreadable", ("netscape format cookies file", "cookies file must be netscape")),
    ("disk_full", ("no space left on device", "[errno 28]")),
    # A captcha or bot check may arrive as an HTTP 429 too: their words win over the status.
    ("captcha", ("captcha",)),
    ("bot_check", ("not a bot", "ip is likely being blocked")),
    ("rate_limited", (
        "rate-limited by youtube", "this content isn't available, try again later",
        "http error 429", "too many requests",
    )),
    ("age_restricted", (
        "confirm your age", "age-restricted", "age restricted", "inappropriate for some users",
    )),
    ("members_only", (
        "members-only", "join this channel", "channel's members", "premium members",
        "youtube premium", "requires payment",
    )),
    ("drm", ("drm protected",)),
    ("live_or_upcoming", (
        "live event will begin", "premieres in", "premiere will begin",
        "live stream recording is not available", "this live event has ended",
    )),
    ("geo_blocked", (
        "available in your country", "blocked it in your country", "geo restriction",
        "from your location",
    )),
    ("private", ("private video", "this video is private")),
    ("removed", (
        "has been removed", "no longer available", "has been terminated",
        "closed their youtube account", "does not exist",
    )),
    ("outdated", (
        "requested format is not available", "challenge solving failed",
        "signature solving failed", "signature extraction failed", "no video formats found",
        "only images are available", "confirm you are on the latest version",
        "not available on this app",
    )),
    ("unavailable", (
        "video unavailable", "video is not available", "video is unavailable",
        "http error 404", "http error 410",
    )),
    ("network", (
        "http error 5", "timed out", "timeout", "connection", "reset by peer", "incompleteread",
        "content too short", "more expected", "did not get any data", "temporary failure",
        "name resolution", "network is unreachable", "giving up after", "eof occurred",
        "remote end closed",
    )),
    ("forbidden", ("http error 403",)),
)  # fmt: skip
_CHALLENGE = ("challenge solving failed", "signature solving failed", "signature extraction")
# Kinds whose wall may pass on a new try at once; the rest wait for a person or the governor.
_RETRYABLE: frozenset[FetchErrorKind] = frozenset({"network", "forbidden"})


def cancelled_error() -> FetchError:
    return FetchError(CANCELLED_REASON, "cancelled", retryable=False)


def disk_full_error() -> FetchError:
    return FetchError(DISK_FULL_REASON, "disk_full", retryable=False)


def exception_chain(exc: BaseException) -> list[BaseException]:
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
    if any(cut in text for cut in ("reset", "broken", "too short", "incompleteread", "expected")):
        return "the connection was cut off"
    return "no connection"


def plain_message(exc: BaseException) -> str:
    text = _ANSI.sub("", str(exc)).strip()
    text = re.sub(r"^ERROR:\s*", "", text)
    return re.sub(r"^\[[\w:]+\]\s*[\w-]+:\s*", "", text)  # "[generic] abc123: " prefixes


def kind_of(text: str) -> FetchErrorKind:
    """The kind a yt-dlp message (any case, prefixes or not) names; "other" when none."""
    lowered = text.lower()
    return next((kind for kind, markers in _RULES if any(m in lowered for m in markers)), "other")


def classify_error(
    exc: BaseException, *, signed_in: bool = False, warnings: Sequence[str] = ()
) -> FetchError:
    """Turn whatever yt-dlp, ffmpeg or the OS raised into a FetchError a person can act on.

    `signed_in`: a cookies file was in use (the advice differs). `warnings`: what yt-dlp logged
    before it failed; a failed player challenge there turns "no format" into "out of date".
    """
    chain = exception_chain(exc)
    if any(isinstance(e, FetchError) for e in chain):
        return next(e for e in chain if isinstance(e, FetchError))
    if any(isinstance(e, DownloadCancelled) for e in chain):
        return cancelled_error()
    if any(isinstance(e, CookieLoadError | http.cookiejar.LoadError) for e in chain):
        # yt-dlp's message quotes the offending line, session cookie values included.
        return _error("cookies_unreadable", COOKIES_REASON)
    if any(isinstance(e, OSError) and e.errno == errno.ENOSPC for e in chain):
        return disk_full_error()
    text = " ".join(plain_message(e) for e in chain).lower()
    kind = kind_of(text)
    if kind == "outdated" and _challenge_failed(text, warnings):
        return _error(kind, CHALLENGE_REASON)
    if kind == "network":
        detail = _network_detail(text)
        return _error(kind, f"The download failed on the network ({detail}); it can be retried.")
    if kind == "other":
        return _error(kind, f"The download failed: {plain_message(exc)[:300]}")
    return _error(kind, _reason(kind, signed_in=signed_in))


def _challenge_failed(text: str, warnings: Iterable[str]) -> bool:
    seen = " ".join([text, *warnings]).lower()
    return any(marker in seen for marker in _CHALLENGE)


def _error(kind: FetchErrorKind, reason: str) -> FetchError:
    return FetchError(reason, kind, retryable=kind in _RETRYABLE)


_REASONS: dict[FetchErrorKind, str] = {
    "cookies_unreadable": COOKIES_REASON,
    "disk_full": DISK_FULL_REASON,
    "rate_limited": RATE_LIMITED_REASON,
    "captcha": CAPTCHA_REASON,
    "bot_check": BOT_CHECK_REASON,
    "age_restricted": AGE_REASON,
    "members_only": MEMBERS_REASON,
    "drm": DRM_REASON,
    "live_or_upcoming": LIVE_REASON,
    "geo_blocked": GEO_REASON,
    "private": PRIVATE_REASON,
    "removed": REMOVED_REASON,
    "outdated": OUTDATED_REASON,
    "unavailable": UNAVAILABLE_REASON,
    "forbidden": FORBIDDEN_REASON,
}
_SIGNED_IN_REASONS: dict[FetchErrorKind, str] = {
    "bot_check": BOT_CHECK_SIGNED_IN_REASON,
    "age_restricted": AGE_SIGNED_IN_REASON,
}


def _reason(kind: FetchErrorKind, *, signed_in: bool) -> str:
    if signed_in and kind in _SIGNED_IN_REASONS:
        return _SIGNED_IN_REASONS[kind]
    return _REASONS[kind]
