from __future__ import annotations

from django.apps import AppConfig


class SpotifydlConfig(AppConfig):
    """The project package: home page, health check, the process runner."""

    name = "spotifydl"
    verbose_name = "spotifydl"
