"""One reading of a user's library: its state, progress and what it cost."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LibraryRefresh(models.Model):
    """One reading of a user's library: its state, progress and what it cost."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Reading your library"
        PAUSED = "paused", "Paused by Spotify's request limit"
        SUCCEEDED = "succeeded", "Up to date"
        FAILED = "failed", "Failed"

    ACTIVE: ClassVar[tuple[str, ...]] = (Status.QUEUED, Status.RUNNING, Status.PAUSED)
    # A running refresh whose row has not moved for this long died with its worker (a running
    # one writes a heartbeat every few seconds); a waiting one this old lost its task.
    STALE_AFTER = timedelta(minutes=15)
    STALE_QUEUED_AFTER = timedelta(hours=6)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_refreshes"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    requests_made = models.PositiveIntegerField(default=0)
    duration = models.DurationField(null=True, blank=True)
    error = models.TextField(blank=True)
    resumes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one refresh per user waits, runs or is paused at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["queued", "running", "paused"]),
                name="library_one_active_refresh_per_user",
            )
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]
        get_latest_by = "created_at"
        verbose_name_plural = "library refreshes"

    def __str__(self) -> str:
        return f"Refresh {self.pk} of user {self.user_id}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.steps_total:
            return 0
        return min(99, round(100 * self.steps_done / self.steps_total))

    def is_stale(self, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status == self.Status.RUNNING:
            return now - self.updated_at > self.STALE_AFTER
        if self.status == self.Status.QUEUED:
            return now - self.created_at > self.STALE_QUEUED_AFTER
        return False

    def start(self) -> None:
        self.status = self.Status.RUNNING
        # Per run: a refresh resumed after a quota pause measures only its own work.
        self.started_at = timezone.now()
        self.resumes_at = None
        self.error = ""

    def finish(self, *, status: str, error: str = "", resumes_at: datetime | None = None) -> None:
        """Move to a final state (or to paused, which ends this run until `resumes_at`)."""
        if status not in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.PAUSED):
            raise ValueError(f"{status!r} does not end a refresh")
        if (status == self.Status.PAUSED) != (resumes_at is not None):
            raise ValueError("a paused refresh needs a resume time, and only it")
        self.status = status
        self.error = error
        self.resumes_at = resumes_at
        if status != self.Status.PAUSED:
            self.finished_at = timezone.now()
        if self.started_at is not None:
            self.duration = timezone.now() - self.started_at
