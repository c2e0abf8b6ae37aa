from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Personal access tokens and the JSON API that accepts them."""

    name = "spotifydl.api"
    label = "api"
    verbose_name = "API"
