"""Writes for personal access tokens: create (the secret is shown once), revoke, spend a request.

The secret is 32 random bytes; only its sha256 is kept, so a stolen database gives no tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from spotifydl.api.models import ApiToken

TOKEN_PREFIX = "sdl_"  # noqa: S105  # a label, not a secret
# The bucket: a burst of BURST requests, refilled at RATE a second.
BURST = 120.0
RATE = 2.0


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, owner: User, name: str) -> NewToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=owner,
        name=name.strip()[:100] or "Token",
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=digest_of(secret),
        bucket=BURST,
    )
    return NewToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_spend(*, token_id: int) -> float:
    """Take one request from the token's bucket and note the use; returns 0 when allowed, else
    the seconds until the next request would be."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id)
        now = timezone.now()
        elapsed = (now - token.bucket_at).total_seconds() if token.bucket_at else 0.0
        level = min(BURST, token.bucket + elapsed * RATE) if token.bucket_at else BURST
        if level < 1.0:
            return (1.0 - level) / RATE
        token.bucket = level - 1.0
        token.bucket_at = now
        token.last_used_at = now
        token.save(update_fields=["bucket", "bucket_at", "last_used_at"])
    return 0.0


def bucket_drain(*, token: ApiToken) -> None:
    """Empty the bucket (tests and an admin who wants a token to pause)."""
    ApiToken.objects.filter(pk=token.pk).update(bucket=0.0, bucket_at=timezone.now())
