"""The installation's download settings: one row, the admin's."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from downloads.models.choices import TEXT, AudioFormat
from downloads.models.jobs import CHUNK_ITEMS


class DownloadSettings(models.Model):
    """The installation's download settings: a single row, edited on the settings page."""

    default_format = models.CharField(
        max_length=10, choices=AudioFormat.choices, default=AudioFormat.ORIGINAL
    )
    # Empty means the pipeline's default template.
    path_template = models.CharField(max_length=TEXT, blank=True)
    # Empty means settings.DOWNLOAD_CONCURRENCY.
    concurrency = models.PositiveSmallIntegerField(null=True, blank=True)
    # The uploaded cookies file's content, encrypted (downloads.cookies); never shown or served.
    cookies_blob = models.TextField(blank=True, editable=False)
    cookies_uploaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Sync: delete the file of a track dropped from a synced source once nothing references it.
    sync_prune_files = models.BooleanField(
        default=True,
        verbose_name="Delete files that synced playlists dropped",
        help_text="Only once no playlist, like, saved album or download of anyone still uses "
        "them. Off: files stay on disk and only leave the playlist files.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "download settings"

    def __str__(self) -> str:
        return "Download settings"

    @classmethod
    def load(cls) -> DownloadSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def effective_concurrency(self) -> int:
        return max(1, self.concurrency or settings.DOWNLOAD_CONCURRENCY)

    @property
    def chunk_size(self) -> int:
        """Items per chunk task: whole waves of one worker's concurrency, about CHUNK_ITEMS, so
        a chunk run starts with every slot busy (and fills slots that free up from the job's
        other waiting items: worker/chunk.py)."""
        concurrency = self.effective_concurrency
        return max(1, round(CHUNK_ITEMS / concurrency)) * concurrency
