from __future__ import annotations

import logging

from django.apps import AppConfig


def _drop_debug_records(record: logging.LogRecord) -> bool:
    return record.levelno > logging.DEBUG


class LibraryConfig(AppConfig):
    """The Spotify side: sign-in, the AsyncSpotify client, the catalog and browsing."""

    name = "library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # spotipy logs token request bodies (codes, refresh tokens) and headers (the client
        # secret) at DEBUG. Those records are dropped whatever level logging is set to.
        logging.getLogger("spotipy.oauth2").addFilter(_drop_debug_records)
