"""Reads for personal access tokens: a person's own, everyone's (the admin), one by secret."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from library.roles import is_admin
from spotifydl.api.models import ApiToken
from spotifydl.api.services import digest_of


def tokens_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(owner_id=user.pk)


def tokens_all() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("owner")


def token_for(*, user: User, pk: int) -> ApiToken:
    """One of the person's tokens, or any for an admin; raises ApiToken.DoesNotExist."""
    tokens = tokens_all() if is_admin(user) else tokens_for(user=user)
    return tokens.get(pk=pk)


def token_by_secret(*, secret: str) -> ApiToken | None:
    """The active token with this secret and an active owner, or None."""
    return (
        ApiToken.objects.select_related("owner")
        .filter(digest=digest_of(secret), revoked_at__isnull=True, owner__is_active=True)
        .first()
    )
