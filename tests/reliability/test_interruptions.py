"""A worker stopped mid-conversion, and a cancel on a stalled connection: work cut short by
something other than the track is requeued uncounted, and a cancel never waits for a socket."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from downloads import enqueue, services
from downloads.models import Job, JobItem
from sandbox import Sandbox
from spotifydl.ffmpeg import ffmpeg_path
from tests.reliability.helpers import Processes, playlist_job, uploaded_tracks, wait_job_ended
from tests.reliability.invariants import describe
from tests.reliability.serving import signal_tree
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Stands in for ffmpeg: a conversion (the only call with -y) waits while HOLD exists, so the
# test can stop the worker at exactly that moment; every other call is the real ffmpeg.
SHIM = """#!/bin/sh
case " $* " in *" -y "*)
  touch "{marks}/converting.$$"
  while [ -e "{hold}" ]; do sleep 0.05; done;;
esac
exec "{real}" "$@"
"""


def _ffmpeg_shim(folder: Path) -> tuple[Path, Path, Path]:
    """(bin folder, marks folder, hold file)."""
    bin_dir, marks, hold = folder / "bin", folder / "marks", folder / "hold"
    bin_dir.mkdir()
    marks.mkdir()
    hold.touch()
    shim = bin_dir / "ffmpeg"
    shim.write_text(SHIM.format(marks=marks, hold=hold, real=ffmpeg_path()))
    shim.chmod(0o755)
    return bin_dir, marks, hold


def test_a_worker_stopped_mid_conversion_requeues_the_item_uncounted(
    media_sandbox: Sandbox, user: Any, processes: Processes, tmp_path: Path
) -> None:
    bin_dir, marks, hold = _ffmpeg_shim(tmp_path)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    # MP3: a conversion by ffmpeg (kept Opus is remuxed in the worker's own process).
    tracks = uploaded_tracks(media_sandbox, 4)
    job = playlist_job(
        media_sandbox, user, tracks, name="Stopped Mix", enqueue=True, audio_format="mp3"
    )
    worker = processes.worker(PATH=path)
    wait_until(lambda: any(marks.iterdir()), timeout=120, step=0.05, what="a conversion")

    signal_tree(worker.pid, signal.SIGTERM)
    assert worker.wait(timeout=60) == 0

    items = list(job.items.all())
    cut_short = [i for i in items if i.failure_cause == JobItem.FailureCause.INTERRUPTED]
    assert cut_short, "nothing was converting when the worker stopped"
    assert not [i for i in items if i.status in (JobItem.Status.FAILED, JobItem.Status.RUNNING)]
    assert {(i.status, i.attempts) for i in cut_short} == {(JobItem.Status.QUEUED, 0)}
    waiting = DBTaskResult.objects.filter(
        task_path=enqueue.RUN_CHUNK, status=TaskResultStatus.READY
    )
    assert waiting.exists(), "the stopped chunk was not handed to the next worker"

    hold.unlink()
    processes.worker(PATH=path)
    wait_job_ended(job, timeout=120)

    print("\nafter a stop mid-conversion:", describe(job), f"interrupted: {len(cut_short)}")
    assert job.items.filter(status=JobItem.Status.DONE).count() == 4
    for item in cut_short:
        item.refresh_from_db()
        assert (item.status, item.attempts, item.error) == (JobItem.Status.DONE, 1, "")
    assert not job.items.filter(error__contains="ffmpeg").exists()


def test_cancel_does_not_wait_for_a_stalled_connection(
    media_sandbox: Sandbox, user: Any, processes: Processes
) -> None:
    stall = 60.0  # far past anything a cancel may take
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 3), name="Stalled Mix", enqueue=True
    )
    media_sandbox.media_knobs.update({"stall_rate": 1.0, "stall_seconds": stall})
    processes.worker()
    wait_until(
        lambda: job.items.filter(status="running", stage="fetch", progress__gt=0).exists(),
        timeout=120,
        step=0.05,
    )

    services.job_cancel(job=job)
    took = wait_until(
        lambda: Job.objects.get(pk=job.pk).status == Job.Status.CANCELLED, timeout=stall / 2
    )

    print(f"\ncancelled a stalled download in {took:.1f} s (the stall lasts {stall:.0f} s)")
    assert set(job.items.values_list("status", flat=True)) == {JobItem.Status.CANCELLED}
