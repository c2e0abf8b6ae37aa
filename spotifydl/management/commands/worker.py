"""`python manage.py worker`: django-tasks-db's `db_worker`, after the worker start checks.

Every worker starts through this command (`serve`'s own, compose's, a worker machine's), so a
worker that would fail every job refuses to take any and says why, instead of recording failed
work as done.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from spotifydl.worker_checks import network_warnings, worker_problems

logger = logging.getLogger("spotifydl.worker")

REFUSED_EXIT = 3


class Command(DbWorkerCommand):
    help = "Check this worker can do its work, then run django-tasks-db's db_worker."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = worker_problems()
        for problem in problems:
            logger.error("Worker refuses to take work: %s", problem)
            self.stderr.write(f"Worker refuses to take work: {problem}")
        if problems:
            sys.exit(REFUSED_EXIT)
        for warning in network_warnings():
            logger.warning("%s (jobs needing it will wait and retry)", warning)
        super().handle(*args, **options)
