"""Moments in words: relative while near ("just now", "5 minutes ago", "in 2 hours"), absolute
further off. Pages show them through the `when` filter; notices and reasons use the words."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince, timeuntil

JUST_NOW = timedelta(minutes=1)
RELATIVE_WITHIN = timedelta(hours=24)


def when_words(moment: datetime, *, now: datetime | None = None) -> str:
    """The words for a moment, relative while it is within a day of now."""
    now = now or timezone.now()
    distance = abs(now - moment)
    if distance < JUST_NOW:
        return "just now"
    if distance < RELATIVE_WITHIN:
        # timesince's first unit only ("3 hours", not "3 hours, 2 minutes").
        if moment < now:
            return f"{timesince(moment, now, depth=1)} ago"
        return f"in {timeuntil(moment, now, depth=1)}"
    return absolute_words(moment)


def is_far(moment: datetime, *, now: datetime) -> bool:
    """Whether a moment reads absolute: its words then no longer change as time passes."""
    return abs(now - moment) >= RELATIVE_WITHIN


def absolute_words(moment: datetime) -> str:
    """A far moment's words, "5 Dec 2026, 23:23" in the current time zone."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return date_format(local, "j M Y, H:i")
