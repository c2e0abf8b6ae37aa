"""Who is asking: the one helper every signed-in view uses."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest


def signed_in(user: object) -> User:
    """The signed-in person; views call this behind login_required, so anything else is a 404."""
    if not isinstance(user, User):
        raise Http404
    return user


def request_user(request: HttpRequest) -> User:
    return signed_in(request.user)
