"""Pins: the installation's manual choice of upload for a track."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from downloads.models.jobs import URL
from library.models import Track


class TrackPin(models.Model):
    """An instance-wide manual choice of upload for a track: the pipeline skips searching."""

    track = models.OneToOneField(Track, on_delete=models.CASCADE, related_name="pin")
    video_id = models.CharField(max_length=200)
    url = models.URLField(max_length=URL, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.track_id} → {self.video_id}"
