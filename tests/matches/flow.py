"""The real pipeline against the sandbox, for the match tests: download a track, pick uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from downloads import services
from downloads.models import AudioFormat, Job, JobItem
from downloads.tasks import run_chunk
from library.models import Track
from sandbox import Sandbox
from sandbox.models import Track as SandboxTrack
from tests.support.catalog import editorial_tracks, has_upload, import_track
from tests.support.workers import run_task_in_thread


def downloadable_track(sandbox: Sandbox) -> tuple[SandboxTrack, Track]:
    """A sandbox track with a right upload and decoys, and its catalog row."""
    for track in editorial_tracks(sandbox):
        candidates = sandbox.media.candidates(track.id)
        if has_upload(sandbox, track) and any(not c.acceptable for c in candidates):
            return track, import_track(sandbox, track)
    raise LookupError("no editorial track with both a right upload and a decoy")


def download(user: Any, track: Track, audio_format: str = AudioFormat.ORIGINAL) -> Job:
    """A job for one track, run to its end the way a worker runs it."""
    job = services.job_create(
        owner=user,
        kind=Job.Kind.TRACK,
        target_id=track.spotify_id,
        title=track.name,
        tracks=[track],
        audio_format=audio_format,
        enqueue=False,
    )
    run(job)
    return job


def run(job: Job) -> Job:
    for chunk in sorted(set(job.items.values_list("chunk", flat=True))):
        run_task_in_thread(run_chunk, job_id=job.pk, chunk=chunk)
    job.refresh_from_db()
    return job


def heard(sandbox: Sandbox, track: SandboxTrack, path: Path) -> str | None:
    """Which of the track's candidates the file's audio came from."""
    return sandbox.media.identify(path, [c.id for c in sandbox.media.candidates(track.id)])


def other_candidate(item: JobItem) -> str:
    """A ranked candidate the matcher did not choose (a rejected one when there is one)."""
    ranked = item.alternatives["ranked"]
    others = [r for r in ranked if r["candidate"]["id"] != item.candidate_id]
    rejected = [r for r in others if not r["accepted"]]
    return str((rejected or others)[0]["candidate"]["id"])
