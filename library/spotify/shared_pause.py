"""Spotify's 429 pause shared by every process of the installation: one row per Spotify app.

Spotify counts requests per app, so a 429 seen by one worker means the web server and every other
worker must wait too; each process otherwise spends the app's quota learning the limit again.
The row is read at most once every READ_EVERY seconds per process (a pause shorter than that may
be learnt late by others, which only costs them one more 429), and written on every 429.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, transaction

from library.models import SpotifyPause

logger = logging.getLogger(__name__)

READ_EVERY = 1.0
# No database here (a test without one, the sandbox): the process's own pause still holds.
_NO_DATABASE = (DatabaseError, RuntimeError)


def app_key() -> str:
    return settings.SPOTIFY_CLIENT_ID or "demo"


class SharedPause:
    """This process's view of the installation's pauses, as wall-clock times."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._read_at: dict[str, float] = {}

    async def wait(self, app: str) -> None:
        # A loop: another process may push the pause further while this one sleeps.
        while (delay := await self._until_for(app) - time.time()) > 0:
            logger.info("Spotify app paused by a 429 elsewhere: waiting %.1f s", delay)
            await asyncio.sleep(delay)

    async def record(self, app: str, seconds: float) -> None:
        until = time.time() + seconds
        self._until[app] = max(self._until.get(app, 0.0), until)
        try:
            await sync_to_async(_write)(app, until)
        except _NO_DATABASE as exc:
            logger.debug("Spotify pause kept in this process only: %s", exc)

    async def _until_for(self, app: str) -> float:
        now = time.monotonic()
        if now - self._read_at.get(app, -READ_EVERY) >= READ_EVERY:
            self._read_at[app] = now
            try:
                stored = await sync_to_async(_read)(app)
            except _NO_DATABASE as exc:
                logger.debug("Spotify pause not read: %s", exc)
                stored = 0.0
            self._until[app] = max(self._until.get(app, 0.0), stored)
        return self._until.get(app, 0.0)


def _read(app: str) -> float:
    until = SpotifyPause.objects.filter(app=app).values_list("paused_until", flat=True).first()
    return until.timestamp() if until else 0.0


def _write(app: str, until: float) -> None:
    moment = datetime.fromtimestamp(until, tz=UTC)
    with transaction.atomic():
        row, created = SpotifyPause.objects.select_for_update().get_or_create(
            app=app, defaults={"paused_until": moment}
        )
        if not created and row.paused_until < moment:
            row.paused_until = moment
            row.save(update_fields=["paused_until"])


shared_pause = SharedPause()
