from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus

from tests.foundation.tasks_for_tests import write_marker
from tests.support.processes import child_env, manage

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_an_enqueued_task_is_run_by_a_real_db_worker_process(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    result = write_marker.enqueue(str(marker), "ran in the worker")

    worker = manage(
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        env=child_env(DATA_DIR=str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = worker.communicate(timeout=60)
    result.refresh()

    assert worker.returncode == 0, output.decode()
    assert marker.read_text() == "ran in the worker"
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value != os.getpid()
