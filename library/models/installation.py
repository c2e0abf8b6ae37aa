"""Rows every process of the installation shares: the key sentinel and Spotify's pause."""

from __future__ import annotations

from django.db import models


class KeySentinel(models.Model):
    """One row: a known text encrypted under the installation's SECRET_KEY by the first process
    that checked it, so every later process can tell at start whether its key reads the stored
    tokens and cookies (a worker with another key would fail every read)."""

    blob = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "Key sentinel"


class SpotifyPause(models.Model):
    """One row per Spotify app (client id): no request of that app starts before `paused_until`,
    in any process, after Spotify answered 429 with Retry-After."""

    app = models.CharField(max_length=200, unique=True)
    paused_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"Spotify pause of {self.app} until {self.paused_until:%H:%M:%S}"
