"""The app's own bookkeeping rows: which background workers are alive."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    """One row per named worker slot, stamped every few seconds by the worker in it.

    A restarted worker takes over its slot's row, so a slot is either beating or down; the
    supervisor marks a slot down the moment its process dies, before any beat could go stale.
    """

    name = models.CharField(max_length=200, unique=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    down_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
