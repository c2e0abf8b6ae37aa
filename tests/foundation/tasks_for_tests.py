"""A task the worker test enqueues: it leaves a mark a test can see from outside the worker."""

from __future__ import annotations

import os
from pathlib import Path

from django.tasks import task


@task
def write_marker(path: str, text: str) -> int:
    Path(path).write_text(text)
    return os.getpid()
