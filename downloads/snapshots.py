"""The progress stream's reads: a job's counters and its items' states as plain values.

One poll of downloads/progress.py is one call of each; the job event carries the counts the job
page's tabs show (ItemFilter.size_in, the page's own rule), so the page never recounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from downloads.failures import failure_viewer, item_failure_note
from downloads.models import Job, JobItem, LyricsStatus
from downloads.selectors import ItemFilter, with_progress

ITEM_FIELDS = ("pk", "status", "progress", "stage", "error", "match_score", "candidate_title")
JOB_FIELDS = (
    "status",
    "total",
    "done",
    "failed",
    "no_match",
    "cancelled",
    "error",
    "resumes_at",
    "cancel_requested",
)


def job_snapshot(*, job_id: int) -> dict[str, Any] | None:
    """The job's counters, status and progress as plain values, or None when it is gone."""
    row = with_progress(Job.objects.filter(pk=job_id)).values(*JOB_FIELDS, "in_flight").first()
    if row is None:
        return None
    in_flight = row.pop("in_flight")
    job = Job(**{k: v for k, v in row.items() if k != "resumes_at"})
    setattr(job, "in_flight", in_flight)  # noqa: B010  # what with_progress would have annotated
    return {
        **row,
        "resumes_at": row["resumes_at"].isoformat() if row["resumes_at"] else None,
        "status_label": job.get_status_display(),
        **job.progress.as_dict(),
        "tabs": {tab.value: tab.size_in(job) for tab in ItemFilter},
        "finished": row["status"] in Job.FINISHED,
    }


def item_snapshots(
    *, job_id: int, changed_since: datetime, first: int | None = None
) -> list[dict[str, Any]]:
    """The states of the job's items written since a time (the page or the last event has the
    rest): however long the job, one event carries only what moved; `first`: the first so many."""
    items = JobItem.objects.filter(job_id=job_id, updated_at__gte=changed_since)
    if first is not None:
        items = items.order_by("position")[:first]
    rows = list(items.values(*ITEM_FIELDS, "error_kind", "stored_file__lyrics"))
    _failure_notes_add(job_id, rows)
    for row in rows:
        row["id"] = row.pop("pk")
        row["status_label"] = JobItem.Status(row["status"]).label
        row["stage_label"] = JobItem.Stage(row["stage"]).label
        if row["status"] == JobItem.Status.DONE:
            row["progress"] = 100
        lyrics = row.pop("stored_file__lyrics") or ""
        row["lyrics_label"] = LyricsStatus(lyrics).label if lyrics else ""
    return rows


def _failure_notes_add(job_id: int, rows: list[dict[str, Any]]) -> None:
    """Each row's failure words and next step (downloads/failures.py), for the job's owner: the
    only one its stream is shown to."""
    viewer = None
    for row in rows:
        kind = row.pop("error_kind")
        row.update(note=row["error"], step_text="", step_url="")
        if row["status"] not in JobItem.RETRYABLE:
            continue
        if viewer is None:
            owner = Job.objects.filter(pk=job_id).values("owner_id", "owner__is_staff").get()
            viewer = failure_viewer(user_id=owner["owner_id"], is_admin=owner["owner__is_staff"])
        note = item_failure_note(
            status=row["status"], kind=kind, error=row["error"], item_id=row["pk"], viewer=viewer
        )
        row.update(note.as_dict() if note else {})
