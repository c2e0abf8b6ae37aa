"""Worker heartbeats: each worker process stamps its slot's WorkerBeat row every BEAT_SECONDS.

The beat runs in a daemon thread of its own, with its own database connection, so a long task
never delays it. A failed write (a locked SQLite database, a restarting server) is logged and
tried again at the next beat: a missed beat only makes the worker look stale for a moment.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import DatabaseError, connection
from django.utils import timezone

from spotifydl.models import WorkerBeat

logger = logging.getLogger(__name__)

BEAT_SECONDS = 2.0


def default_worker_name() -> str:
    return f"{socket.gethostname()}/{os.getpid()}"


class Heartbeat:
    def __init__(self, *, name: str, every: float = BEAT_SECONDS) -> None:
        self.name = name
        self.every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {name}", daemon=True)

    def start(self) -> None:
        beat_record(name=self.name, started=True)
        self._thread.start()

    def stop(self) -> None:
        """A clean exit removes the slot's row: a stopped worker is not a down one."""
        self._stopped.set()
        self._thread.join(timeout=self.every * 2)
        try:
            WorkerBeat.objects.filter(name=self.name, pid=os.getpid()).delete()
        except DatabaseError:
            logger.warning("Could not remove the heartbeat of %s", self.name, exc_info=True)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                beat_record(name=self.name, started=False)
        finally:
            connection.close()


def beat_record(*, name: str, started: bool) -> None:
    now = timezone.now()
    fields: dict[str, object] = {"pid": os.getpid(), "beat_at": now, "down_since": None}
    if started:
        fields["started_at"] = now
    try:
        updated = WorkerBeat.objects.filter(name=name).update(**fields)
        if not updated:
            WorkerBeat.objects.create(name=name, **{"started_at": now, **fields})
    except DatabaseError:
        logger.warning("Worker %s could not record its heartbeat", name, exc_info=True)


def beats_mark_down(*, name: str) -> None:
    """The supervisor saw this slot's process die: it is down until its replacement beats."""
    try:
        WorkerBeat.objects.filter(name=name, down_since=None).update(down_since=timezone.now())
    except DatabaseError:
        logger.warning("Could not mark worker %s down", name, exc_info=True)


def beats_forget(*, prefix: str) -> None:
    """Remove the slots a supervisor owns: at its start (a dead run's) and at its clean stop."""
    try:
        WorkerBeat.objects.filter(name__startswith=prefix).delete()
    except DatabaseError:
        logger.warning("Could not remove the heartbeats under %s", prefix, exc_info=True)
    finally:
        connection.close()
