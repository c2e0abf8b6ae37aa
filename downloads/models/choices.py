"""Column sizes and the choices that jobs, files, settings and preferences share."""

from __future__ import annotations

from django.db import models

TEXT = 1000
URL = 1000


class AudioFormat(models.TextChoices):
    ORIGINAL = "original", "Original (Opus or AAC as uploaded, no re-encoding)"
    MP3 = "mp3", "MP3"
    M4A = "m4a", "M4A (AAC)"
    OPUS = "opus", "Opus"


class LyricsStatus(models.TextChoices):
    SYNCED = "synced", "Synced"
    PLAIN = "plain", "Plain"
    NONE = "none", "None found"
    FAILED = "failed", "Failed"


class LyricsMode(models.TextChoices):
    OFF = "off", "Off"
    PLAIN = "plain", "Plain lyrics in the tags"
    SYNCED = "synced", "Synced (.lrc beside the file), else plain"
