"""One person's own download choices; unset ones fall back to the installation's."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from downloads.models.choices import AudioFormat, LyricsMode
from downloads.models.sync import Subscription


class Preferences(models.Model):
    """A person's defaults for new downloads and subscriptions, and their own YouTube cookies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="download_preferences"
    )
    # Empty: the installation's default format.
    default_format = models.CharField(max_length=10, choices=AudioFormat.choices, blank=True)
    sync_schedule = models.CharField(
        max_length=10,
        choices=Subscription.Schedule.choices,
        default=Subscription.Schedule.DAILY,
        verbose_name="Sync new subscriptions",
    )
    playlist_files = models.BooleanField(
        default=True,
        verbose_name="Write .m3u8 playlist files for my playlists",
        help_text="Off: your downloads still land in the music folder, without playlist files.",
    )
    lyrics = models.CharField(
        max_length=10,
        choices=LyricsMode.choices,
        default=LyricsMode.SYNCED,
        verbose_name="Lyrics for my downloads",
        help_text="From LRCLIB. Synced lyrics go beside the file as .lrc (players show them "
        "line by line) and into its tags; never a different song's lyrics.",
    )
    # The person's own cookies file's content, encrypted, used for their jobs only.
    cookies_blob = models.TextField(blank=True, editable=False)
    cookies_uploaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"Preferences of user {self.user_id}"
