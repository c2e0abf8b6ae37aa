"""`python manage.py worker`: django-tasks-db's `db_worker`, after the worker start checks, with a
heartbeat and a temp root of its own.

Every worker starts through this command (`serve`'s own, compose's, a worker machine's), so a
worker that would fail every job refuses to take any and says why, instead of recording failed
work as done. `--check` only runs the checks (compose's worker healthcheck). At start it removes
what dead worker runs left in the temp folders and imports the task modules (then frozen out of
the garbage collector's full passes); while it runs, a heartbeat thread stamps its slot (`--name`,
given by `serve`; host/pid otherwise) for /healthz. Its task rows and items carry a worker id made
of the slot and its pid, so `serve` hands on a dead worker's work at once.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from downloads.worker import workdir
from downloads.worker_ids import worker_id_adopt, worker_id_for
from spotifydl.demo import demo_worker_configure
from spotifydl.heartbeat import Heartbeat, default_worker_name
from spotifydl.worker_checks import network_warnings, worker_problems

logger = logging.getLogger("spotifydl.worker")

REFUSED_EXIT = 3
AUTOGROUP = Path("/proc/self/autogroup")
SQLITE_APART_WORDS = (
    "This worker runs apart from the web server but DATABASE_URL is not PostgreSQL: it would "
    "poll a database of its own. Set DATABASE_URL (and EMBEDDED_WORKERS=0, SECRET_KEY) the same "
    "for the web server and every worker; with Docker Compose, uncomment the scaled block of .env."
)


class Command(DbWorkerCommand):
    help = "Check this worker can do its work, then run django-tasks-db's db_worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--check", action="store_true", help="Only run the start checks; exit 0 when none fail."
        )
        parser.add_argument(
            "--require-shared-database",
            action="store_true",
            help="Refuse SQLite: this worker is not on the web server's machine and data folder.",
        )
        parser.add_argument(
            "--name", default="", help="The worker's slot name in /healthz (default: host/pid)."
        )
        # Unless given, the worker id is made of the slot name and the pid (worker_ids.py).
        parser.set_defaults(worker_id=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_worker_configure():
            logger.info("Demo mode: this worker uses the running demo's sandbox.")
        check = bool(options.pop("check"))
        name = options.pop("name") or default_worker_name()
        problems = worker_problems()
        if options.pop("require_shared_database") and connection.vendor == "sqlite":
            problems.append(SQLITE_APART_WORDS)
        for problem in problems:
            logger.error("Worker refuses to take work: %s", problem)
            self.stderr.write(f"Worker refuses to take work: {problem}")
        if problems:
            sys.exit(REFUSED_EXIT)
        if check:
            return
        for warning in network_warnings():
            logger.warning("%s (jobs needing it will wait and retry)", warning)
        if settings.WORKER_NICENESS > 0:
            priority_lower(settings.WORKER_NICENESS)
        workdir.dead_runs_remove()
        # The task modules (the pipeline with yt-dlp and ytmusicapi: a second or more of
        # imports) load now, while the worker is idle, not in the first task's time.
        autodiscover_modules("tasks")
        # What is loaded by now lives as long as the worker: out of the collector's sight, a
        # full collection walks only what tasks made (in a library refresh two of them took
        # 0.18 s of CPU, 0.02 s frozen).
        gc.freeze()
        options["worker_id"] = options["worker_id"] or worker_id_for(slot=name, pid=os.getpid())
        worker_id_adopt(options["worker_id"])
        heartbeat = Heartbeat(name=name)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()


def priority_lower(niceness: int) -> None:
    """Lower this worker's CPU priority (and its ffmpeg's) below the web's by `niceness`.

    On Linux with autogroups (`kernel.sched_autogroup_enabled`, the default), nice(2) ranks a
    process only against the others of its session's group, and groups share the CPU equally:
    `serve` starts each worker in a session of its own, so a niced worker still took as much
    CPU as the web (bench P6: pages waited ~100 ms for a core at the median). A worker leading
    its own session lowers its group too (sched(7)); one sharing a session (started from a
    terminal) leaves the group alone, as it is not the worker's alone.
    """
    os.nice(niceness)
    if os.getsid(0) != os.getpid():
        return
    with contextlib.suppress(OSError, ValueError):  # no autogroups here
        current = int(AUTOGROUP.read_text().rsplit("nice", 1)[1])
        AUTOGROUP.write_text(str(min(19, current + niceness)))
