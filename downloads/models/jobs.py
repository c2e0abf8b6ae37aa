"""Jobs and their items: what a person asked for, and what happened to each track.

These rows, not the task queue, hold the truth about a download (tasks carry only ids); every
transition is made here, mostly as conditional UPDATEs so that two workers never both win."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone

from downloads.models.choices import TEXT, URL, AudioFormat
from downloads.models.job_progress import JobProgress
from library.models import Track

# Items per django.tasks task, about: few enough to spread over workers, enough to amortise a
# task's start. DownloadSettings.chunk_size makes it whole waves of a worker's concurrency.
CHUNK_ITEMS = 25
HEARTBEAT_STALE_AFTER = timedelta(seconds=60)


class Job(models.Model):
    """One request to download something, owned by one person."""

    class Kind(models.TextChoices):
        TRACK = "track", "Track"
        ALBUM = "album", "Album"
        PLAYLIST = "playlist", "Playlist"
        LIKED = "liked", "Liked Songs"
        SELECTION = "selection", "Selection"
        LIBRARY = "library", "Whole library"
        ARTIST = "artist", "Artist"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Downloading"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        PARTIAL = "partial", "Completed with failures"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class PauseCause(models.TextChoices):
        NONE = "", "Not paused"
        SPOTIFY = "spotify", "Spotify's request limit"
        YOUTUBE = "youtube", "YouTube's limits"

    ACTIVE: ClassVar[tuple[str, ...]] = (Status.QUEUED, Status.RUNNING, Status.PAUSED)
    FINISHED: ClassVar[tuple[str, ...]] = (
        Status.COMPLETED,
        Status.PARTIAL,
        Status.FAILED,
        Status.CANCELLED,
    )
    # Jobs whose files are also listed in a playlist file beside the music.
    M3U8_KINDS: ClassVar[tuple[str, ...]] = (Kind.PLAYLIST, Kind.LIKED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="download_jobs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target_id = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=TEXT)
    audio_format = models.CharField(
        max_length=10, choices=AudioFormat.choices, default=AudioFormat.ORIGINAL
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    no_match = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    resumes_at = models.DateTimeField(null=True, blank=True)
    # The end-of-job round (worker/retrying.py) ran: what still fails transiently now stays.
    final_round_done = models.BooleanField(default=False)
    # Who asked for the pause: a cookies upload resumes YouTube's at once, not Spotify's.
    pause_cause = models.CharField(
        max_length=10, choices=PauseCause.choices, default=PauseCause.NONE, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "status", "-created_at"]),
            models.Index(fields=["status", "resumes_at"]),
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def processed(self) -> int:
        return self.done + self.failed + self.no_match + self.cancelled

    @property
    def progress(self) -> JobProgress:
        """How far it got; selectors annotate `in_flight`, else this costs one query."""
        points = getattr(self, "in_flight", None)
        if points is None:
            running = self.items.filter(status=JobItem.Status.RUNNING)
            points = running.aggregate(n=Sum("progress"))["n"] or 0
        counts = (self.total, self.done, self.failed + self.no_match, self.cancelled)
        return JobProgress(*counts, points, self.is_active)

    @property
    def has_failures(self) -> bool:
        return bool(self.failed or self.no_match)

    def refresh_counters(self) -> None:
        """Recount the items in one aggregate query and store the counts."""
        counts = self.items.aggregate(
            total=Count("pk"),
            **{
                field: Count("pk", filter=Q(status=status))
                for field, status in _COUNTED_STATUSES.items()
            },
        )
        for field, value in counts.items():
            setattr(self, field, value)
        self.save(update_fields=[*counts, "updated_at"])

    def finish_if_done(self) -> bool:
        """End the job once no item waits or runs; True only for the call that ended it.

        The conditional UPDATE makes this safe to call from every worker at once: exactly one of
        them moves the job, so exactly one writes its playlist file.
        """
        if self.status in self.FINISHED:
            return False
        self.refresh_counters()
        if self.processed < self.total or self.final_round_due():
            return False
        status = self._final_status()
        now = timezone.now()
        won = Job.objects.filter(pk=self.pk, status__in=self.ACTIVE).update(
            status=status, finished_at=now, resumes_at=None, updated_at=now
        )
        if won:
            self.status, self.finished_at, self.resumes_at = status, now, None
        return bool(won)

    def final_round_due(self) -> bool:
        """Transient failures wait for one more round before the job may end (worker/retrying)."""
        return (
            not (self.final_round_done or self.cancel_requested)
            and self.items.filter(
                status=JobItem.Status.FAILED, failure_cause=JobItem.FailureCause.TRANSIENT
            ).exists()
        )

    def final_round_start(self) -> set[int]:
        """Queue the transiently failed items once more; the chunks to enqueue (none when the
        round already ran, another caller won it, or items still wait or run)."""
        if self.items.filter(status__in=JobItem.UNFINISHED).exists() or not self.final_round_due():
            return set()
        won = Job.objects.filter(pk=self.pk, final_round_done=False).update(
            final_round_done=True, updated_at=timezone.now()
        )
        if not won:
            return set()
        self.final_round_done = True
        again = self.items.filter(
            status=JobItem.Status.FAILED, failure_cause=JobItem.FailureCause.TRANSIENT
        )
        chunks = set(again.values_list("chunk", flat=True))
        again.update(status=JobItem.Status.QUEUED, finished_at=None, stage="", **JobItem.LET_GO)
        self.refresh_counters()
        return chunks

    def _final_status(self) -> str:
        if self.cancelled:
            return self.Status.CANCELLED
        if self.total and not self.done and self.failed:
            return self.Status.FAILED
        if self.has_failures:
            return self.Status.PARTIAL
        return self.Status.COMPLETED

    def mark_running(self) -> None:
        """A worker started on it; only a waiting job moves (a cancelled one stays cancelled)."""
        now = timezone.now()
        Job.objects.filter(pk=self.pk, status=self.Status.QUEUED).update(
            status=self.Status.RUNNING, started_at=now, updated_at=now
        )
        self.refresh_from_db(fields=["status", "started_at"])

    def mark_failed(self, reason: str) -> None:
        """The job as a whole cannot go on (not one track: those fail on their own)."""
        now = timezone.now()
        self.items.filter(status__in=JobItem.UNFINISHED).update(
            status=JobItem.Status.FAILED, error=reason, finished_at=now, **JobItem.LET_GO
        )
        self.status = self.Status.FAILED
        self.error = reason
        self.finished_at = now
        self.resumes_at = None
        self.save(update_fields=["status", "error", "finished_at", "resumes_at", "updated_at"])
        self.refresh_counters()

    def pause(self, *, until: datetime, reason: str, cause: str = PauseCause.SPOTIFY) -> bool:
        """Take no new items until `until` (Spotify's quota, YouTube's limits); the maintenance
        task resumes it. A job already paused takes the new reason and resume time."""
        moved = Job.objects.filter(pk=self.pk, status__in=self.ACTIVE).update(
            status=self.Status.PAUSED,
            resumes_at=until,
            error=reason,
            pause_cause=cause,
            updated_at=timezone.now(),
        )
        self.refresh_from_db(fields=["status", "resumes_at", "error", "pause_cause"])
        return bool(moved)

    def resume(self) -> bool:
        """Back to the queue after a pause; True when this call moved it."""
        moved = Job.objects.filter(pk=self.pk, status=self.Status.PAUSED).update(
            status=self.Status.QUEUED,
            resumes_at=None,
            error="",
            pause_cause=self.PauseCause.NONE,
            updated_at=timezone.now(),
        )
        self.refresh_from_db(fields=["status", "resumes_at", "error", "pause_cause"])
        return bool(moved)

    def request_cancel(self) -> None:
        """Ask the job to stop: waiting items end now, running ones at their next progress tick."""
        if self.status in self.FINISHED:
            return
        now = timezone.now()
        Job.objects.filter(pk=self.pk).update(cancel_requested=True, updated_at=now)
        self.cancel_requested = True
        self.items.filter(status=JobItem.Status.QUEUED).update(
            status=JobItem.Status.CANCELLED,
            finished_at=now,
            progress=0,
            stage="",
            **JobItem.LET_GO,
        )
        self.finish_if_done()

    def reopen(self) -> None:
        """Make a finished job active again (a retry); counters follow from the items."""
        self.status = self.Status.QUEUED
        self.cancel_requested = False
        self.final_round_done = False
        self.error = ""
        self.finished_at = None
        self.resumes_at = None
        self.save(
            update_fields=[
                "status",
                "cancel_requested",
                "final_round_done",
                "error",
                "finished_at",
                "resumes_at",
                "updated_at",
            ]
        )
        self.refresh_counters()


class JobItemQuerySet(models.QuerySet["JobItem"]):
    def update(self, **kwargs: Any) -> int:
        """Bulk updates stamp `updated_at` too (auto_now does not): the progress stream relies
        on it to find the items that changed since its last read."""
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)


class JobItem(models.Model):
    """One track of a job, with what happened to it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Downloading"
        DONE = "done", "Downloaded"
        NO_MATCH = "no_match", "No match"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Stage(models.TextChoices):
        NONE = "", "Waiting"
        RESOLVE = "resolve", "Searching"
        MATCH = "match", "Matching"
        FETCH = "fetch", "Downloading"
        TAG = "tag", "Tagging"
        STORE = "store", "Saving"

    class FailureCause(models.TextChoices):
        """Whose fault the last failed or cut-short attempt was (worker/retrying.py)."""

        NONE = "", "None"
        PERMANENT = "permanent", "The track's own (trying again won't help)"
        TRANSIENT = "transient", "Outside trouble (network, busy server); retried"
        INTERRUPTED = "interrupted", "A worker stopped or died; requeued uncounted"

    UNFINISHED: ClassVar[tuple[str, ...]] = (Status.QUEUED, Status.RUNNING)
    RETRYABLE: ClassVar[tuple[str, ...]] = (Status.FAILED, Status.NO_MATCH)
    # What every write that lets an item go sets: no worker beats for it or holds it any more.
    LET_GO: ClassVar[Mapping[str, Any]] = MappingProxyType({"heartbeat_at": None, "holder": ""})

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="download_items")
    position = models.PositiveIntegerField()
    chunk = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Also the claim token: a worker's result counts only while the attempt is still its own.
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.NONE, blank=True)
    candidate_id = models.CharField(max_length=200, blank=True)
    candidate_url = models.URLField(max_length=URL, blank=True)
    candidate_title = models.CharField(max_length=TEXT, blank=True)
    candidate_channel = models.CharField(max_length=TEXT, blank=True)
    match_score = models.FloatField(null=True, blank=True)
    match_reason = models.TextField(blank=True)
    alternatives = models.JSONField(default=dict, blank=True)
    stored_file = models.ForeignKey(
        "downloads.StoredFile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    error = models.TextField(blank=True)
    # What kind of failure `error` is (a stage's kind, or "no_match"): downloads/failures.py
    # turns it into words and a next step.
    error_kind = models.CharField(max_length=20, blank=True, default="")
    failure_cause = models.CharField(
        max_length=12, choices=FailureCause.choices, default=FailureCause.NONE, blank=True
    )
    # Requeues spent from the item's transient-failure budget (worker/retrying.py).
    transient_retries = models.PositiveSmallIntegerField(default=0)
    # Set while a worker holds the item (waiting in its chunk or running); a stale one means
    # the worker died and the reaper may hand the chunk to another worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The worker id (downloads/worker_ids.py) of the process that last held it, so a worker
    # known dead hands back its items at once rather than once their heartbeat is stale.
    holder = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobItemQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="downloads_item_position_once")
        ]
        indexes = [
            models.Index(fields=["job", "chunk", "status"]),
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["track", "-id"]),
            models.Index(fields=["job", "updated_at"]),  # the progress stream's changes
            # A job's running items (its bar's in-flight share, on every page that shows it):
            # both terms in one index, so no planner reads all of a 10,000-item job for them.
            models.Index(fields=["job", "status"]),
        ]
        ordering = ["job", "position"]

    def __str__(self) -> str:
        return f"Job {self.job_id} #{self.position}: {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status not in self.UNFINISHED

    def shown_progress(self) -> int:
        return 100 if self.status == self.Status.DONE else self.progress


_COUNTED_STATUSES = {
    "done": JobItem.Status.DONE,
    "failed": JobItem.Status.FAILED,
    "no_match": JobItem.Status.NO_MATCH,
    "cancelled": JobItem.Status.CANCELLED,
}
