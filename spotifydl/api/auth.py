"""Who is asking the API: a personal access token (Authorization: Bearer), or the browser's
session (then Django's CSRF check applies to unsafe methods, as on the pages).

Token requests spend from the token's bucket; an empty bucket answers 429 with Retry-After.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from spotifydl.api import selectors, services


class RateLimited(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__("Too many requests with this token; try again shortly.")
        self.retry_after = max(1, math.ceil(wait))


class PersonalToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = selectors.token_by_secret(secret=token)
        if found is None:
            return None
        wait = services.token_spend(token_id=found.pk)
        if wait:
            raise RateLimited(wait)
        return found.owner


class SignedInSession(SessionAuth):
    """The signed-in browser; only when no token was sent, so a bad token is never rescued."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            return None
        return super().__call__(request)


def person(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    if not isinstance(user, User):
        raise TypeError("the API's operations all require authentication")
    return user


AUTH = [PersonalToken(), SignedInSession()]
