"""Reads for the health check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from spotifydl.models import WorkerBeat

# Five missed beats: a hung worker, or one on another machine that died with no supervisor.
STALE_AFTER = timedelta(seconds=15)
# A worker silent for this long was removed, not crashed: it no longer degrades the app.
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class WorkerHealth:
    name: str
    up: bool
    last_beat: datetime
    seconds_since_beat: float


def worker_health(*, now: datetime) -> list[WorkerHealth]:
    beats = WorkerBeat.objects.filter(beat_at__gte=now - FORGET_AFTER).order_by("name")
    return [
        WorkerHealth(
            name=beat.name,
            up=beat.down_since is None and beat.beat_at >= now - STALE_AFTER,
            last_beat=beat.beat_at,
            seconds_since_beat=round(max(0.0, (now - beat.beat_at).total_seconds()), 1),
        )
        for beat in beats
    ]
