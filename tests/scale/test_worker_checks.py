"""A worker checks it can do its work before taking any: the key, the database, the music
folder; the web server refuses a key it could not share; a job nobody runs says so."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from downloads.models import Job
from downloads.worker_presence import NO_WORKER_WORDS
from library.crypto import decrypt_text, encrypt_text
from library.key_check import WRONG_KEY_WORDS, key_problem
from spotifydl.worker_checks import secret_key_problem, worker_problems
from tests.support.processes import manage
from tests.support.workers import worker_env


@pytest.mark.django_db(transaction=True)
def test_a_worker_with_another_secret_key_refuses_to_take_work_and_says_why() -> None:
    assert key_problem() is None  # the installation's key wrote the sentinel

    worker = manage(
        "worker", "--no-reload", "--no-startup-delay",
        env=worker_env(SECRET_KEY="not-the-installations-key"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _out, err = worker.communicate(timeout=60)

    assert worker.returncode == 3
    assert "Worker refuses to take work" in err.decode()
    assert "SECRET_KEY cannot decrypt" in err.decode()


@pytest.mark.django_db
def test_a_worker_with_the_installations_key_has_no_problems(settings: Any) -> None:
    settings.SECRET_KEY_CONFIGURED = True  # as every worker of a PostgreSQL installation has it
    assert worker_problems() == []


@pytest.mark.django_db
def test_another_key_is_refused_and_a_rotated_one_reads_through_its_fallback(
    settings: Any,
) -> None:
    assert key_problem() is None
    old = settings.SECRET_KEY

    settings.SECRET_KEY = "a-new-key"
    assert key_problem() == WRONG_KEY_WORDS
    settings.SECRET_KEY_FALLBACKS = [old]
    assert key_problem() is None
    assert decrypt_text(encrypt_text("fresh")) == "fresh"


@pytest.mark.django_db
def test_a_music_folder_the_worker_cannot_write_is_a_problem(settings: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MUSIC_ROOT = blocker / "music"

    assert any("MUSIC_ROOT" in problem for problem in worker_problems())


@pytest.mark.django_db
def test_a_generated_key_is_refused_for_separate_workers_and_postgresql(settings: Any) -> None:
    from django.db import connection

    settings.SECRET_KEY_CONFIGURED = False
    separate = secret_key_problem(separate_workers=True)
    together = secret_key_problem(separate_workers=False)

    assert separate is not None and "Set SECRET_KEY" in separate
    assert (together is None) == (connection.vendor == "sqlite")


@pytest.mark.django_db
def test_a_job_waiting_with_no_live_worker_says_so_on_its_page(client: Client, user: Any) -> None:
    client.force_login(user)
    job = Job.objects.create(owner=user, kind=Job.Kind.SELECTION, title="Waiting")
    fresh = client.get(reverse("downloads:job", args=[job.pk])).content.decode()
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    stale = client.get(reverse("downloads:job", args=[job.pk])).content.decode()

    assert "data-no-worker" not in fresh
    assert "data-no-worker" in stale and "No worker has taken work" in NO_WORKER_WORDS
