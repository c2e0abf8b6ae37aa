"""`python manage.py worker`: django-tasks' db_worker, beating a heartbeat and owning a temp root.

At start it removes what dead worker runs left in the temp folders; while it runs, a heartbeat
thread stamps its slot (`--name`, given by `serve`; host/pid otherwise) for the health check.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands import db_worker

from downloads.worker import workdir
from spotifydl.heartbeat import Heartbeat, default_worker_name


class Command(db_worker.Command):
    help = "Run a background worker that reports a heartbeat (db_worker plus health)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--name", default="", help="The worker's slot name in /healthz (default: host/pid)."
        )

    def handle(self, **options: Any) -> None:
        workdir.dead_runs_remove()
        heartbeat = Heartbeat(name=options.pop("name") or default_worker_name())
        heartbeat.start()
        try:
            super().handle(**options)
        finally:
            heartbeat.stop()
