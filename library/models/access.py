"""Who may sign in: the installation's policy and its allowlist of Spotify accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from library.models.fields import LONG_TEXT


class SignInPolicy(models.Model):
    """One row: whether only invited people may sign in (the default once someone has)."""

    invite_only = models.BooleanField(
        default=True,
        verbose_name="Only invited people may sign in",
        help_text="Off: anyone with a Spotify account your app lets in may sign in.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "sign-in policy"

    def __str__(self) -> str:
        return "Invite only" if self.invite_only else "Open"

    @classmethod
    def load(cls) -> SignInPolicy:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class AllowedAccount(models.Model):
    """A Spotify account invited to sign in, named by its id or its display name."""

    # As the admin typed it; matched case-insensitively against the id, account id and name.
    identifier = models.CharField(max_length=LONG_TEXT)
    # Kept lower-cased so the same person cannot be listed twice.
    key = models.CharField(max_length=LONG_TEXT, unique=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.identifier

    def save(self, **kwargs: Any) -> None:
        self.identifier = self.identifier.strip()
        self.key = self.key_of(self.identifier)
        super().save(**kwargs)

    @staticmethod
    def key_of(identifier: str) -> str:
        return identifier.strip().casefold()
