"""The installation's YouTube gate: one row every worker of every machine reads and claims.

It holds the pace (when the next video fetch and the next search may start) and the pause
YouTube imposed (until when, and why). Claims are made in one transaction on this row, so any
number of workers together keep one budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import models


class YouTubeGate(models.Model):
    class Hold(models.TextChoices):
        NONE = "", "Open"
        RATE_LIMITED = "rate_limited", "YouTube asked us to slow down"
        SIGN_IN = "sign_in", "YouTube wants a sign-in check"

    # While set and in the future, no YouTube request of the installation may start.
    paused_until = models.DateTimeField(null=True, blank=True)
    hold = models.CharField(max_length=20, choices=Hold.choices, default=Hold.NONE, blank=True)
    # Limits hit in a row without a successful fetch between them: the next pause grows.
    strikes = models.PositiveSmallIntegerField(default=0)
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    next_search_at = models.DateTimeField(null=True, blank=True)
    last_limit_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "YouTube gate"

    def __str__(self) -> str:
        return "YouTube gate"

    @classmethod
    def load(cls) -> YouTubeGate:
        gate, _ = cls.objects.get_or_create(pk=1)
        return gate

    def is_closed(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now

    def strike(self, *, hold: str, now: datetime, steps: Sequence[float]) -> None:
        """One more limit: close until a pause that grows with the strikes, capped at the last
        step. A limit seen while already closed (a request that was in flight) adds nothing."""
        if self.is_closed(now):
            return
        step = steps[min(self.strikes, len(steps) - 1)]
        self.strikes += 1
        self.hold = hold
        self.paused_until = now + timedelta(seconds=step)
        self.last_limit_at = now

    def open(self) -> None:
        """Clear the pause and the strikes (a cookies upload: try again at once)."""
        self.paused_until = None
        self.hold = self.Hold.NONE
        self.strikes = 0
