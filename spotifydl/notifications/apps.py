from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "spotifydl.notifications"
    label = "notifications"  # the tables and migrations keep their names
    default_auto_field = "django.db.models.BigAutoField"
