"""`manage.py serve` stopped while its worker converts a track with ffmpeg, then started again:
by SIGTERM (what Ctrl+C, `docker stop` and systemd send) and by SIGKILL of every process it
runs at once (the OOM killer, a pulled plug), after which `serve` started again on the same port
hands on at start what its killed run's worker held. The job ends with every track done, nothing
failed, only the kill's attempt counted, no temporary file left and no task row stuck. The figures
reached are printed."""

from __future__ import annotations

import signal
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.tasks import TaskResultStatus

from downloads.models import Job, JobItem
from sandbox import Sandbox
from tests.reliability.helpers import (
    Processes,
    app_env,
    assert_every_track_done,
    no_chunk_task_left_running,
    uploads_job,
    wait_job_ended,
)
from tests.reliability.invariants import describe
from tests.reliability.serving import alive, converting, signal_tree
from tests.support.processes import free_port
from tests.support.waiting import wait_until

# The waits' bounds are for a machine shared with much else; an unshared one takes a fraction.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.django_db(transaction=True),
]

TRACKS = 6


def _serve(
    processes: Processes, temp: Path, *, port: int, workers: int = 1
) -> subprocess.Popen[bytes]:
    env = app_env(TMPDIR=str(temp))
    process, _ = processes.served_on(port, "--workers", str(workers), **env)
    return process


def _stop(process: subprocess.Popen[bytes], how: str) -> None:
    """Stop `serve` as `how` says; returns once every process it ran is gone."""
    if how == "sigterm":
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        return
    tree = signal_tree(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    wait_until(lambda: not any(map(alive, tree)), what="every process of serve gone")


def _after_stop(job: Job, how: str) -> set[int]:
    """What a stop left: nothing failed, nothing running; the cut-short items, back in the queue
    (a stop hands their attempt back uncounted; a kill leaves it counted, as a claim token)."""
    items = list(job.items.exclude(status=JobItem.Status.DONE))
    assert not [i for i in items if i.status in (JobItem.Status.FAILED, JobItem.Status.RUNNING)]
    cut_short = {i.pk for i in items if i.failure_cause == JobItem.FailureCause.INTERRUPTED}
    assert cut_short, f"nothing was converting when serve was stopped by {how}"
    counted = {i.attempts - i.transient_retries for i in items if i.pk in cut_short}
    assert counted == ({0} if how == "sigterm" else {1}), counted
    return cut_short


def test_serve_stopped_mid_conversion_twice_and_started_again_finishes_the_job(
    media_sandbox: Sandbox, user: Any, processes: Processes, tmp_path: Path
) -> None:
    temp = tmp_path / "serve-tmp"  # the processes' temporary folder, to find what they leave
    temp.mkdir()
    job = uploads_job(media_sandbox, user, TRACKS, name="Restart", audio_format="mp3")
    cut_short: dict[str, set[int]] = {}
    port = free_port()
    for how in ("sigterm", "sigkill"):
        serve = _serve(processes, temp, port=port)
        wait_until(partial(converting, serve.pid), timeout=300, step=0.02, what="ffmpeg")
        _stop(serve, how)
        if how == "sigkill":
            # On the killed run's port, `serve` hands on at start what its worker held; without
            # workers of its own, so the items stay in the queue to be looked at.
            serve = _serve(processes, temp, port=port, workers=0)
        cut_short[how] = _after_stop(job, how)
        if how == "sigkill":
            _stop(serve, "sigterm")

    _serve(processes, temp, port=port)
    wait_job_ended(job, timeout=300)
    running = no_chunk_task_left_running().filter(status=TaskResultStatus.RUNNING)

    print(
        f"\nserve stopped mid-conversion by SIGTERM, then by SIGKILL of every process, and "
        f"started again: {describe(job)}; items cut short: "
        f"{ {how: len(items) for how, items in cut_short.items()} }, "
        f"stuck task rows: {running.count()}"
    )
    assert_every_track_done(job, TRACKS, temp_dirs=[temp])
    assert not job.items.exclude(error="").exists()
    # Only the kill's attempt counts: a track cut short twice was tried twice, not three times.
    # (A transient failure's retry, a loaded machine's socket timeout, is no attempt of theirs.)
    attempts = {
        pk: n - retries
        for pk, n, retries in job.items.values_list("pk", "attempts", "transient_retries")
    }
    assert {attempts[pk] for pk in cut_short["sigkill"]} == {2}
    assert set(attempts.values()) <= {1, 2}
    assert "Traceback" not in processes.log_text()
