"""The worker's writes to job items and stored files: one sync function per transaction.

Every write to an item the worker holds goes through `_mine`, so an attempt the reaper has
moved on can no longer change the row.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from downloads import uploads
from downloads.models import Job, JobItem, StoredFile
from downloads.pipeline import store
from downloads.pipeline.fetch.stage import FetchedAudio
from downloads.pipeline.lyrics import lrc_remove_beside
from downloads.pipeline.match.score import MatchResult
from downloads.pipeline.types import Candidate
from downloads.worker.retrying import ITEM_RETRY
from downloads.worker.work import Outcome, Work, work_for
from downloads.worker_ids import worker_id_current

CONTAINERS = {"opus": "ogg", "ogg": "ogg", "m4a": "mp4", "mp3": "mp3"}


def chunk_items(job_id: int, chunk: int | None) -> QuerySet[JobItem]:
    items = JobItem.objects.filter(job_id=job_id)
    return items if chunk is None else items.filter(chunk=chunk)


# Longest tracks first: the last wave of a job is then its shortest tracks, so the slots end
# close together instead of one long download running on alone (the Spotify duration stands
# for the bytes to fetch).
LONGEST_FIRST = ("-track__duration_ms", "position")


def chunk_hold(job_id: int, chunk: int | None) -> list[int]:
    """The chunk's waiting items, longest first, held with a heartbeat so the reaper leaves
    them alone."""
    waiting = chunk_items(job_id, chunk).filter(status=JobItem.Status.QUEUED)
    item_ids = list(waiting.order_by(*LONGEST_FIRST).values_list("pk", flat=True))
    JobItem.objects.filter(pk__in=item_ids, status=JobItem.Status.QUEUED).update(
        heartbeat_at=timezone.now(),
        holder=worker_id_current(),
        updated_at=F("updated_at"),  # no change a viewer sees
    )
    return item_ids


def chunk_release(job_id: int, chunk: int | None, taken: Collection[int] = ()) -> set[int]:
    """Let go of items never started (paused, cancelled), the chunk's and those the run took
    from other chunks; the chunks that still have items waiting."""
    held = chunk_items(job_id, chunk) | JobItem.objects.filter(pk__in=list(taken))
    waiting = held.filter(status=JobItem.Status.QUEUED)
    chunks = set(waiting.values_list("chunk", flat=True))
    waiting.update(**JobItem.LET_GO)
    return chunks


def item_claim(item_id: int, *, taken: bool = False) -> Work | None:
    """Take the item if it still waits and its job still runs; the attempt is the claim token.

    `taken`: by a chunk run with a free slot, not the run holding it; an item waiting out its
    retry pause in the run that holds it is left to that run.
    """
    now = timezone.now()
    waiting = JobItem.objects.filter(
        pk=item_id,
        status=JobItem.Status.QUEUED,
        job__status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        job__cancel_requested=False,
    )
    if taken:
        waiting = waiting.exclude(_RETRY_PAUSE)
    claimed = waiting.update(
        status=JobItem.Status.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        holder=worker_id_current(),
        started_at=now,
        progress=0,
        stage=JobItem.Stage.RESOLVE,
        error="",
        error_kind="",
    )
    if not claimed:
        return None
    return work_for(JobItem.objects.select_related("track__album", "job").get(pk=item_id))


# A transient failure requeued by the chunk run that holds it, waiting out its pause there.
_RETRY_PAUSE = Q(failure_cause=JobItem.FailureCause.TRANSIENT, heartbeat_at__isnull=False)
TAKE_LOOKAHEAD = 8  # items tried per take, for when other runs claim the first ones meanwhile


def item_take(job_id: int, chunk: int) -> Work | None:
    """Claim the job's next waiting item outside `chunk`, for a run whose own items all started:
    first items no run holds (their chunk's task has not started yet), then items another run
    holds that still wait for one of its slots. None when nothing is left to take.

    In job order, not longest first: the position index answers at once however long the job
    (ordering a 10,000-item job by duration sorted it on every take), and a big job's page fills
    from the top instead of all over."""
    waiting = JobItem.objects.filter(job_id=job_id, status=JobItem.Status.QUEUED).exclude(
        chunk=chunk
    )
    for held in (False, True):
        candidates = waiting.filter(heartbeat_at__isnull=not held).exclude(_RETRY_PAUSE)
        ids = candidates.order_by("position").values_list("pk", flat=True)[:TAKE_LOOKAHEAD]
        for item_id in ids:
            work = item_claim(item_id, taken=True)
            if work is not None:
                return work
    return None


def _mine(work: Work) -> QuerySet[JobItem]:
    """The item, but only while this attempt still owns it (the reaper may have moved it on)."""
    return JobItem.objects.filter(
        pk=work.item_id, attempts=work.attempt, status=JobItem.Status.RUNNING
    )


def stored_file_reuse(work: Work, audio_format: str) -> bool:
    """A file already stored for this track, format and the owner's upload (an earlier job, a
    crashed attempt, another person who chose the same upload)."""
    stored = uploads.stored_files_for(
        owner_id=work.owner_id, track_ids=[work.track_id], audio_format=audio_format
    ).get(work.track_id)
    if stored is None:
        return False
    _mine(work).update(
        stored_file=stored,
        candidate_id=stored.source_id,
        candidate_url=stored.source_url,
        match_score=stored.match_score,
        match_reason="Already downloaded",
    )
    return True


def item_record_match(work: Work, chosen: Candidate | None, result: MatchResult | None) -> None:
    fields: dict[str, Any] = {"alternatives": result.to_dict() if result else {}}
    if chosen is not None:
        fields.update(
            candidate_id=chosen.id,
            candidate_url=chosen.url or "",
            candidate_title=chosen.title[:1000],
            candidate_channel=chosen.channel[:1000],
            match_score=round(result.score, 1) if result else None,
            match_reason=result.reason if result else "Pinned by hand",
        )
    elif result is not None:
        fields.update(match_score=round(result.score, 1), match_reason=result.reason)
    _mine(work).update(**fields)


@transaction.atomic
def stored_file_record(
    work: Work,
    audio_format: str,
    final: Path,
    fetched: FetchedAudio,
    duration: float | None,
    candidate: Candidate,
    score: float | None,
    *,
    lyrics: str | None = None,
) -> None:
    """The file and the item in one transaction: a crash leaves both or neither.

    The row of this (track, format, upload) gets the new file (and its lyrics status when the
    lyrics went in with its tags); a file it held under another name (another extension) goes
    once nothing else refers to it.
    """
    path = final.relative_to(store.music_root()).as_posix()
    before = (
        StoredFile.objects.filter(
            track_id=work.track_id, audio_format=audio_format, source_id=candidate.id
        )
        .values_list("path", flat=True)
        .first()
    )
    fields: dict[str, Any] = {
        "path": path,
        "size": final.stat().st_size,
        "codec": fetched.codec,
        "container": CONTAINERS.get(fetched.ext, fetched.ext),
        "duration": duration,
        "source_url": candidate.url or "",
        "match_score": score,
    }
    if lyrics is not None:
        fields["lyrics"] = lyrics
    stored, _ = StoredFile.objects.update_or_create(
        track_id=work.track_id, audio_format=audio_format, source_id=candidate.id, defaults=fields
    )
    _mine(work).update(stored_file=stored)
    if before is not None and before != path:
        transaction.on_commit(lambda: _unreferenced_file_remove(before))


def _unreferenced_file_remove(relative: str) -> None:
    if not StoredFile.objects.filter(path=relative).exists():
        old = store.inside_root(store.music_root(), relative)
        old.unlink(missing_ok=True)
        lrc_remove_beside(old)


def stored_file_lyrics(work: Work, final: Path, status: str) -> None:
    """What the lyrics stage found, on the file the item stored."""
    path = final.relative_to(store.music_root()).as_posix()
    StoredFile.objects.filter(track_id=work.track_id, path=path).update(lyrics=status)


def paths_held(work: Work, audio_format: str, source_id: str) -> frozenset[str]:
    return uploads.paths_held(
        track_id=work.track_id, audio_format=audio_format, source_id=source_id
    )


def item_record_end(work: Work, outcome: Outcome) -> float | None:
    """Record how the attempt ended; the seconds to wait before running it again when a
    transient failure sent it back to the queue (worker/retrying.py), else None."""
    if outcome.status == JobItem.Status.QUEUED:
        # Paused or interrupted: back in the queue as if never started, so the counts stay honest.
        _mine(work).update(
            status=JobItem.Status.QUEUED,
            stage="",
            progress=0,
            attempts=F("attempts") - 1,
            failure_cause=outcome.cause,
            **JobItem.LET_GO,
        )
        return None
    transient = outcome.cause == JobItem.FailureCause.TRANSIENT
    if transient and ITEM_RETRY.allows(work.retries_used):
        # Still held by this chunk run (heartbeat kept), which runs it again after the pause.
        requeued = _mine(work).update(
            status=JobItem.Status.QUEUED,
            error=outcome.error[:2000],
            error_kind=outcome.kind,
            failure_cause=outcome.cause,
            transient_retries=F("transient_retries") + 1,
            heartbeat_at=timezone.now(),
            stage="",
            progress=0,
        )
        return ITEM_RETRY.delay(work.retries_used + 1) if requeued else None
    _mine(work).update(
        status=outcome.status,
        error=outcome.error[:2000],
        error_kind=outcome.kind,
        failure_cause=outcome.cause,
        finished_at=timezone.now(),
        stage="",
        progress=100 if outcome.status == JobItem.Status.DONE else 0,
        **JobItem.LET_GO,
    )
    return None


def items_tick(
    job_id: int,
    chunk: int | None,
    taken: Collection[int],
    dirty: dict[int, tuple[str, int]],
    recount: bool,
    beat: bool,
) -> None:
    """The ticker's beat: progress of running items, heartbeats of held ones (the chunk's and
    those the run took from other chunks), job counters."""
    now = timezone.now()
    with transaction.atomic():
        for item_id, (stage, percent) in dirty.items():
            JobItem.objects.filter(pk=item_id, status=JobItem.Status.RUNNING).update(
                stage=stage, progress=percent, heartbeat_at=now
            )
        if beat:
            held = chunk_items(job_id, chunk) | JobItem.objects.filter(pk__in=list(taken))
            held.filter(status__in=JobItem.UNFINISHED, heartbeat_at__isnull=False).update(
                heartbeat_at=now,
                updated_at=F("updated_at"),  # no change a viewer sees
            )
    if recount:
        Job.objects.get(pk=job_id).refresh_counters()


def job_cancel_requested(job_id: int) -> bool:
    return bool(Job.objects.filter(pk=job_id).values_list("cancel_requested", flat=True).first())
