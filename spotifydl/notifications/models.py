"""Where notifications go: one channel per person, and one for the installation (the admin's)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    JOB_FINISHED = "job_finished", "A download job finished"
    JOB_FAILURES = "job_failures", "A job finished with failures (which and why)"
    SYNC_CHANGED = "sync_changed", "A synced playlist changed"
    PAUSED = "paused", "YouTube or Spotify paused the work"
    SIGN_IN_EXPIRED = "sign_in_expired", "A Spotify sign-in expired"


def every_kind() -> list[str]:
    return list(Kind.values)


class Channel(models.Model):
    """Apprise URLs (one a line) and the kinds of news they get, plus how the last send went.

    `owner` empty: the installation's channel, the admin's, which hears about everyone's work.
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_channel",
    )
    urls = models.TextField(blank=True)
    kinds = models.JSONField(default=every_kind, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(owner__isnull=True),
                name="notifications_one_installation_channel",
            )
        ]

    def __str__(self) -> str:
        return f"Notifications of user {self.owner_id}" if self.owner_id else "Installation"

    def url_list(self) -> list[str]:
        return [line.strip() for line in self.urls.splitlines() if line.strip()]

    def wants(self, kind: str) -> bool:
        return bool(self.url_list()) and kind in (self.kinds or [])
