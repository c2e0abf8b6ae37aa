"""Files on disk: one per (track, format, source upload) under MUSIC_ROOT, shared by whoever chose
that upload."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models

from downloads.models.choices import TEXT, URL, AudioFormat, LyricsStatus
from library.models import Track


class StoredFile(models.Model):
    """One audio file under MUSIC_ROOT: one per (track, format, upload).

    People who chose the same upload share the file; another upload of the track is another file
    (another path), so one person's choice never changes another's audio.
    """

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
    # What the lyrics stage found for this file; empty until it ran (or when lyrics were off).
    lyrics = models.CharField(max_length=10, choices=LyricsStatus.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["track", "audio_format", "source_id"],
                name="downloads_one_file_per_track_format_upload",
            )
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def absolute_path(self) -> Path:
        return Path(settings.MUSIC_ROOT) / self.path

    def exists_on_disk(self) -> bool:
        return bool(self.absolute_path.is_file())


class PlaylistFile(models.Model):
    """The .m3u8 file last written for one person's playlist or Liked Songs.

    Remembered so a renamed source moves its file and an unsubscribed one removes it.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlist_files"
    )
    source = models.CharField(max_length=20)
    target_id = models.CharField(max_length=200, blank=True)
    # Relative to MUSIC_ROOT, like StoredFile.path.
    path = models.CharField(max_length=TEXT, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "source", "target_id"], name="downloads_one_playlist_file"
            )
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def absolute_path(self) -> Path:
        return Path(settings.MUSIC_ROOT) / self.path
