"""Pins: a person's manual choice of upload for a track, or an admin's for the installation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from downloads.models.choices import URL
from library.models import Track


class TrackPin(models.Model):
    """A manual choice of upload for a track: the pipeline skips searching.

    With an owner it is that person's own choice and changes only their copy; without one it is
    the installation's (set by an admin), used by everyone who has no pin of their own.
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="pins")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="track_pins",
    )
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

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["track", "owner"],
                condition=Q(owner__isnull=False),
                name="downloads_one_pin_per_person",
            ),
            models.UniqueConstraint(
                fields=["track"],
                condition=Q(owner__isnull=True),
                name="downloads_one_installation_pin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} → {self.video_id}"

    @property
    def is_installation_wide(self) -> bool:
        return self.owner_id is None
