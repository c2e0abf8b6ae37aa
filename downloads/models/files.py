"""Files on disk: one per (track, format) under MUSIC_ROOT, shared by every user and job."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models

from downloads.models.jobs import TEXT, URL, AudioFormat
from library.models import Track


class StoredFile(models.Model):
    """One audio file under MUSIC_ROOT: one per (track, format), shared by every user and job."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="stored_files")
    audio_format = models.CharField(max_length=10, choices=AudioFormat.choices)
    # Relative to MUSIC_ROOT, so the music folder can move (or be mounted elsewhere).
    path = models.CharField(max_length=TEXT, unique=True)
    size = models.PositiveBigIntegerField(default=0)
    codec = models.CharField(max_length=20, blank=True)
    container = models.CharField(max_length=20, blank=True)
    duration = models.FloatField(null=True, blank=True)
    source_id = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=URL, blank=True)
    match_score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["track", "audio_format"], name="downloads_one_file_per_track_format"
            )
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def absolute_path(self) -> Path:
        return Path(settings.MUSIC_ROOT) / self.path

    def exists_on_disk(self) -> bool:
        return bool(self.absolute_path.is_file())
