from __future__ import annotations

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The Spotify side: sign-in, the AsyncSpotify client, the catalog and browsing."""

    name = "library"
    default_auto_field = "django.db.models.BigAutoField"
