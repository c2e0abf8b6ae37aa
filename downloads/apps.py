from __future__ import annotations

from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    """The disk side: jobs, the pipeline, delivery and sync."""

    name = "downloads"
    default_auto_field = "django.db.models.BigAutoField"
