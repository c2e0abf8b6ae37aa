"""The YouTube governor: one pace and one pause for every worker of the installation.

Every video fetch and every search claims its turn here first, in one transaction on the
`YouTubeGate` row (SQLite's IMMEDIATE transactions serialise them; PostgreSQL locks the row), so
N workers on M machines together keep the budget. A rate limit, captcha or bot check closes the
gate for all of them until a resume time that grows with the strikes in a row; a successful
fetch resets the strikes. Jobs are paused and resumed by `downloads.services`, with the words
made here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from downloads.models import DownloadSettings, YouTubeGate

Turn = Literal["fetch", "search"]
JITTER = (1.0, 1.25)  # a gap is never shorter than the budget's own, so jitter never overspends

RATE_LIMITED_WORDS = "YouTube asked us to slow down; downloads resume at {at}"
SIGN_IN_WORDS = "YouTube wants a sign-in check: add a cookies file in Settings"
SIGN_IN_AGAIN_WORDS = (
    "YouTube wants a sign-in check: the cookies file in Settings may have expired, add a fresh one"
)
RETRY_WORDS = "; downloads try again at {at}"
PACING_WORDS = "Pacing requests to stay under YouTube's limit; downloads resume at {at}"


@dataclass(frozen=True, slots=True)
class GateHold:
    """YouTube work must wait until `until`; `reason` says why, in words a person reads."""

    until: datetime
    reason: str
    pacing: bool = False  # only this job waits for its turn; the gate itself is open


@dataclass(frozen=True, slots=True)
class GateOverview:
    """The gate as the Settings page shows it."""

    paused_until: datetime | None
    reason: str
    strikes: int
    budget_per_hour: int
    with_cookies: bool


def budget_per_hour(*, with_cookies: bool) -> int:
    if with_cookies:
        return max(1, settings.YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES)
    return max(1, settings.YOUTUBE_BUDGET_PER_HOUR)


def _has_cookies() -> bool:
    return bool(DownloadSettings.load().cookies_blob)


def _gap(turn: Turn, *, with_cookies: bool) -> float:
    base = (
        3600.0 / budget_per_hour(with_cookies=with_cookies)
        if turn == "fetch"
        else max(0.0, settings.YOUTUBE_SEARCH_GAP)
    )
    return base * random.uniform(*JITTER)  # noqa: S311 - jitter, not secrecy


def _locked_gate() -> YouTubeGate:
    """The row, locked until the caller's transaction ends (a no-op on SQLite, whose IMMEDIATE
    transaction already holds the write lock)."""
    YouTubeGate.load()
    return YouTubeGate.objects.select_for_update().get(pk=1)


def at_local(moment: datetime, *, now: datetime | None = None) -> str:
    """ "14:20" in the installation's time zone; with the weekday when it is not today."""
    local, today = timezone.localtime(moment), timezone.localtime(now or timezone.now())
    return f"{local:%H:%M}" if local.date() == today.date() else f"{local:%a} {local:%H:%M}"


def hold_words(gate: YouTubeGate, *, with_cookies: bool, now: datetime) -> str:
    """Why the gate is closed and until when, in words; the day named when it is not `now`'s."""
    assert gate.paused_until is not None
    at = at_local(gate.paused_until, now=now)
    if gate.hold == YouTubeGate.Hold.SIGN_IN:
        words = SIGN_IN_AGAIN_WORDS if with_cookies else SIGN_IN_WORDS
        return words + RETRY_WORDS.format(at=at)
    return RATE_LIMITED_WORDS.format(at=at)


def gate_claim(*, turn: Turn, now: datetime | None = None) -> float | GateHold:
    """Take the next turn: the seconds to wait before starting, or why not to start at all.

    A turn further away than YOUTUBE_MAX_SLOT_WAIT is not taken: the worker should not hold
    a slot that long, so it gets a pacing hold until then instead.
    """
    with_cookies = _has_cookies()
    with transaction.atomic():
        now = now or timezone.now()
        gate = _locked_gate()
        if gate.is_closed(now):
            return GateHold(gate.paused_until, hold_words(gate, with_cookies=with_cookies, now=now))  # type: ignore[arg-type]
        field = "next_fetch_at" if turn == "fetch" else "next_search_at"
        start = max(now, getattr(gate, field) or now)
        wait = (start - now).total_seconds()
        if wait > settings.YOUTUBE_MAX_SLOT_WAIT:
            return GateHold(start, PACING_WORDS.format(at=at_local(start, now=now)), pacing=True)
        following = start + timedelta(seconds=_gap(turn, with_cookies=with_cookies))
        YouTubeGate.objects.filter(pk=1).update(**{field: following, "updated_at": now})
        return wait


def gate_hold(*, now: datetime | None = None) -> GateHold | None:
    """Why YouTube work must wait now, or None when the gate is open."""
    now = now or timezone.now()
    gate = YouTubeGate.load()
    if not gate.is_closed(now):
        return None
    return GateHold(gate.paused_until, hold_words(gate, with_cookies=_has_cookies(), now=now))  # type: ignore[arg-type]


def gate_strike(*, sign_in: bool, now: datetime | None = None) -> GateHold:
    """YouTube refused (a rate limit, or a captcha / bot check when `sign_in`): close the gate
    for everyone. A refusal of a request that started before the gate closed adds no strike."""
    with_cookies = _has_cookies()
    with transaction.atomic():
        now = now or timezone.now()
        gate = _locked_gate()
        hold = YouTubeGate.Hold.SIGN_IN if sign_in else YouTubeGate.Hold.RATE_LIMITED
        gate.strike(hold=hold, now=now, steps=settings.YOUTUBE_BACKOFF_STEPS)
        gate.save()
        return GateHold(gate.paused_until, hold_words(gate, with_cookies=with_cookies, now=now))  # type: ignore[arg-type]


def gate_success() -> None:
    """A video came through: the next limit starts the backoff over. Read first: an UPDATE
    takes SQLite's write lock even when no row matches, and this runs after every download."""
    struck = YouTubeGate.objects.filter(pk=1, strikes__gt=0)
    if struck.exists():
        struck.update(strikes=0, updated_at=timezone.now())


def gate_open() -> None:
    """Open at once and forget the strikes (a new cookies file is worth trying right away)."""
    with transaction.atomic():
        gate = _locked_gate()
        gate.open()
        gate.save()


def gate_overview(*, now: datetime | None = None) -> GateOverview:
    now = now or timezone.now()
    gate = YouTubeGate.load()
    with_cookies = _has_cookies()
    closed = gate.is_closed(now)
    return GateOverview(
        paused_until=gate.paused_until if closed else None,
        reason=hold_words(gate, with_cookies=with_cookies, now=now) if closed else "",
        strikes=gate.strikes,
        budget_per_hour=budget_per_hour(with_cookies=with_cookies),
        with_cookies=with_cookies,
    )
