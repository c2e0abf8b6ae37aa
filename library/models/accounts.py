"""A Spotify account tied to one Django user, with its tokens encrypted at rest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from library.crypto import UnreadableSecret, decrypt_json, encrypt_json
from library.models.fields import LONG_TEXT, SPOTIFY_ID, URL
from library.tokens import TokenSet


class SpotifyAccount(models.Model):
    """One Spotify account, tied to exactly one Django user; tokens encrypted at rest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spotify_account"
    )
    # Spotify's stable `account_id`, or the user `id` where an answer lacks it.
    account_key = models.CharField(max_length=SPOTIFY_ID * 2, unique=True)
    spotify_id = models.CharField(max_length=SPOTIFY_ID * 2, db_index=True)
    account_id = models.CharField(max_length=SPOTIFY_ID * 2, blank=True)
    display_name = models.CharField(max_length=LONG_TEXT, blank=True)
    image_url = models.URLField(max_length=URL, blank=True)
    # Fernet ciphertext of spotipy's token_info; never shown anywhere (not in admin either).
    token_blob = models.TextField(blank=True, editable=False)
    scopes = models.CharField(max_length=LONG_TEXT, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    tokens_refreshed_at = models.DateTimeField(null=True, blank=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    needs_reauth = models.BooleanField(default=False)
    reauth_reason = models.CharField(max_length=LONG_TEXT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TOKEN_FIELDS: ClassVar[list[str]] = [
        "token_blob",
        "scopes",
        "token_expires_at",
        "tokens_refreshed_at",
        "needs_reauth",
        "reauth_reason",
    ]

    def __str__(self) -> str:
        return self.display_name or self.spotify_id

    def tokens(self) -> TokenSet | None:
        """The stored tokens, or None when there are none or they cannot be decrypted."""
        if not self.token_blob:
            return None
        try:
            return TokenSet.from_info(decrypt_json(self.token_blob))
        except (UnreadableSecret, KeyError, ValueError):
            return None

    def set_tokens(self, tokens: TokenSet) -> None:
        self.token_blob = encrypt_json(tokens.to_info())
        self.scopes = tokens.scope
        self.token_expires_at = datetime.fromtimestamp(tokens.expires_at, tz=UTC)
        self.tokens_refreshed_at = timezone.now()
        self.needs_reauth = False
        self.reauth_reason = ""

    def require_reauth(self, reason: str) -> None:
        """Spotify refused the refresh token: forget the tokens, ask the person to sign in."""
        self.token_blob = ""
        self.token_expires_at = None
        self.needs_reauth = True
        self.reauth_reason = reason[:LONG_TEXT]
