"""What a failed track means for the person: the words, and the one thing to do next.

The stages name a failure's kind (fetch: `FetchErrorKind`, search: `SearchFailureKind`, plus
"no_match"); this is the one mapping from that kind to words and a next step with its link, used
by the job page, its live updates, the match page, the library's track badges, notifications
and the API. Kinds without fixed words show the stage's own reason (it carries the detail: a
status, a score).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from downloads import youtube_gate
from downloads.models import DownloadSettings, Job, JobItem, Preferences, YouTubeGate
from spotifydl.moments import when_words

COOKIES_FIELD = "#id_cookies_file"
NO_MATCH = "no_match"

# Kinds a cookies file of a signed-in account gets past.
_COOKIES_WORDS = {
    "bot_check": "YouTube asked to confirm you're not a bot.",
    "captcha": "YouTube wants a captcha solved before it plays videos.",
    # A bare HTTP 403, to a search or a download.
    "forbidden": "YouTube refused (HTTP 403), as it does when it wants to confirm you're not "
    "a bot.",
    "age_restricted": "This video is age-restricted: only a signed-in, age-verified account "
    "may play it.",
}
# Kinds where this upload is out of reach (or none was good enough): another upload may do.
_PICK_UPLOAD_KINDS = frozenset(
    {
        NO_MATCH,
        "unavailable",
        "removed",
        "private",
        "geo_blocked",
        "members_only",
        "drm",
        "live_or_upcoming",
    }
)
_RATE_LIMITED_WORDS = "YouTube asked us to slow down."


@dataclass(frozen=True, slots=True)
class NextStep:
    text: str
    url: str = ""  # where to do it; empty when it is done where the person already is


@dataclass(frozen=True, slots=True)
class FailureNote:
    words: str
    step: NextStep | None = None

    def as_text(self, *, base_url: str = "") -> str:
        """Words and step in one line, for notifications: the link in full after a colon."""
        step = self.step
        if step is None:
            return self.words
        where = f": {base_url.rstrip('/')}{step.url}" if step.url and base_url else ""
        return f"{self.words.rstrip('.')}. {step.text}{where}"

    def as_dict(self) -> dict[str, str]:
        step = self.step
        return {
            "note": self.words,
            "step_text": step.text if step else "",
            "step_url": step.url if step else "",
        }


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads the note: the next step for cookies differs."""

    is_admin: bool  # may change the installation's cookies file (else only their own)
    with_cookies: bool  # a cookies file is already in use: the advice is a fresh one


def failure_viewer(*, user_id: int, is_admin: bool) -> Viewer:
    shared = bool(DownloadSettings.load().cookies_blob)
    own = Preferences.objects.filter(user_id=user_id).exclude(cookies_blob="").exists()
    return Viewer(is_admin=is_admin, with_cookies=shared or own)


def item_failure_note(
    *, status: str, kind: str, error: str, item_id: int | None, viewer: Viewer
) -> FailureNote | None:
    """The note of a failed or unmatched item; None for any other state."""
    if status == JobItem.Status.NO_MATCH:
        kind = kind or NO_MATCH  # items that failed before kinds were kept
    elif status != JobItem.Status.FAILED:
        return None
    return failure_note(kind=kind, error=error, item_id=item_id, viewer=viewer)


def failure_note(
    *, kind: str, error: str, item_id: int | None, viewer: Viewer, now: datetime | None = None
) -> FailureNote:
    """The words for a failure of this kind and what to do next."""
    if kind in _COOKIES_WORDS:
        return FailureNote(_COOKIES_WORDS[kind], _cookies_step(viewer, fresh=viewer.with_cookies))
    if kind == "cookies_unreadable":
        return FailureNote(
            "yt-dlp cannot read the cookies file.", _cookies_step(viewer, fresh=True)
        )
    if kind in _PICK_UPLOAD_KINDS:
        step = NextStep("Pick an upload", _match_url(item_id)) if item_id is not None else None
        return FailureNote(error or "No upload matched well enough.", step)
    if kind == "rate_limited":
        return FailureNote(_RATE_LIMITED_WORDS, NextStep(_resume_words(now)))
    return FailureNote(error)


def job_failure_lines(
    *, job: Job, base_url: str = "", limit: int | None = None
) -> list[tuple[str, str]]:
    """The job's failed and unmatched tracks in order, each with its note in one line (a link in
    full after `base_url`): what a notification or the terminal lists."""
    problems = (
        job.items.filter(status__in=JobItem.RETRYABLE)
        .order_by("position")
        .values_list("pk", "track__name", "status", "error", "error_kind")[:limit]
    )
    lines = []
    viewer = None
    for pk, name, status, error, kind in problems:
        viewer = viewer or failure_viewer(user_id=job.owner_id, is_admin=job.owner.is_staff)
        note = item_failure_note(status=status, kind=kind, error=error, item_id=pk, viewer=viewer)
        why = note.as_text(base_url=base_url) if note and note.words else ""
        lines.append((name, why or JobItem.Status(status).label))
    return lines


def youtube_pause_step(*, viewer: Viewer, now: datetime | None = None) -> NextStep | None:
    """What to do about a pause of YouTube work: a sign-in check passes with a cookies file; a
    rate limit only with time (the pause already says when)."""
    gate = YouTubeGate.load()
    if not gate.is_closed(now or timezone.now()) or gate.hold != YouTubeGate.Hold.SIGN_IN:
        return None
    return _cookies_step(viewer, fresh=viewer.with_cookies)


def _cookies_step(viewer: Viewer, *, fresh: bool) -> NextStep:
    if viewer.is_admin:
        text = "Add a fresh cookies file in Settings" if fresh else "Add a cookies file in Settings"
        return NextStep(text, reverse("household:installation") + COOKIES_FIELD)
    text = (
        "Add a fresh cookies file of your own in Settings"
        if fresh
        else "Add a cookies file of your own in Settings"
    )
    return NextStep(text, reverse("household:preferences") + COOKIES_FIELD)


def _match_url(item_id: int) -> str:
    return reverse("matches:item", args=[item_id])


def _resume_words(now: datetime | None) -> str:
    """When YouTube work resumes, as the governor has it; a bare rate limit passes soon."""
    hold = youtube_gate.gate_hold(now=now)
    if hold is None:
        return "Retry in a few minutes"
    return f"Downloads resume {when_words(hold.until, now=now)}"
