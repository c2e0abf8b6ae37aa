"""Sync: subscriptions kept in step with Spotify, the tracks they saw, and each sync run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from downloads.models.choices import TEXT, AudioFormat
from downloads.models.jobs import Job
from library.models import Track


class Subscription(models.Model):
    """One person's standing order: keep a playlist, Liked Songs or their saved albums on disk.

    `next_run_at` is the schedule itself, so it survives restarts; the periodic maintenance task
    claims due rows with SKIP LOCKED and moves `next_run_at` on in the same transaction.
    """

    class Source(models.TextChoices):
        PLAYLIST = "playlist", "Playlist"
        LIKED = "liked", "Liked Songs"
        ALBUMS = "albums", "Saved albums"

    class Schedule(models.TextChoices):
        HOURLY = "hourly", "Every hour"
        DAILY = "daily", "Every day"
        MANUAL = "manual", "Only when I ask"

    INTERVALS: ClassVar[dict[str, timedelta]] = {
        Schedule.HOURLY: timedelta(hours=1),
        Schedule.DAILY: timedelta(days=1),
    }

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_subscriptions"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    # The playlist's Spotify id; empty for Liked Songs and saved albums.
    target_id = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=TEXT)
    audio_format = models.CharField(
        max_length=10, choices=AudioFormat.choices, default=AudioFormat.ORIGINAL
    )
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.DAILY)
    # Null for manual subscriptions: they are never due.
    next_run_at = models.DateTimeField(null=True, blank=True)
    # A hash of the source's track order at the last sync: tells a reordering from no change.
    order_fingerprint = models.CharField(max_length=64, blank=True)
    # The tracks the source held at the last sync: what a later sync compares against.
    tracks = models.ManyToManyField(Track, through="SubscriptionTrack", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "source", "target_id"], name="downloads_subscribe_once"
            )
        ]
        indexes = [models.Index(fields=["next_run_at"])]
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.title}"

    def next_run_after(self, now: datetime) -> datetime | None:
        """The following run: the same beat as before, or one interval from now after a gap."""
        interval = self.INTERVALS.get(self.schedule)
        if interval is None:
            return None
        following = (self.next_run_at or now) + interval
        return following if following > now else now + interval


class SubscriptionTrack(models.Model):
    """A track the subscription's source held at its last sync (each track once)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="memberships"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="subscriptions")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "track"], name="downloads_subscription_track_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.track_id}"


class SyncRun(models.Model):
    """One sync of a subscription: what changed, what it cost, and the job it started."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Syncing"
        SUCCEEDED = "succeeded", "Synced"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Sync now"
        SUBSCRIBE = "subscribe", "Subscribed"
        COMMAND = "command", "Command line"

    ACTIVE: ClassVar[tuple[str, ...]] = (Status.QUEUED, Status.RUNNING)
    # A running sync writes its result within seconds; one this old died with its worker. A
    # waiting one this old lost its task.
    STALE_RUNNING_AFTER = timedelta(minutes=15)
    STALE_QUEUED_AFTER = timedelta(hours=6)

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    files_deleted = models.PositiveIntegerField(default=0)
    downloading = models.PositiveIntegerField(default=0)
    # The source's order changed with no track added or removed.
    reordered = models.BooleanField(default=False)
    # Spotify said the playlist's snapshot was the one already stored: no items were read.
    unchanged = models.BooleanField(default=False)
    requests_made = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="sync_runs"
    )
    summary = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            # At most one sync per subscription waits or runs at a time.
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(status__in=["queued", "running"]),
                name="downloads_one_active_sync_per_subscription",
            )
        ]
        indexes = [models.Index(fields=["subscription", "-created_at"])]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Sync {self.pk} of subscription {self.subscription_id}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def is_stale(self, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status == self.Status.RUNNING:
            return now - (self.started_at or self.created_at) > self.STALE_RUNNING_AFTER
        if self.status == self.Status.QUEUED:
            return now - self.created_at > self.STALE_QUEUED_AFTER
        return False
