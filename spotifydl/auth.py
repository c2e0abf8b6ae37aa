"""Who is asking: the helpers every signed-in view uses, and the admin-only gate."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from library.roles import admin_contact_name, is_admin


def signed_in(user: object) -> User:
    """The signed-in person; views call this behind login_required, so anything else is a 404."""
    if not isinstance(user, User):
        raise Http404
    return user


def request_user(request: HttpRequest) -> User:
    return signed_in(request.user)


type View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Installation settings: signed-in admins only; anyone else gets a plain 403 page, whatever
    the method (so a GET cannot learn more than a POST could change)."""

    @wraps(view)
    def gate(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not is_admin(request.user):
            response = TemplateResponse(
                request, "spotifydl/admin_only.html", {"ask": admin_contact_name()}, status=403
            )
            return response.render()
        return view(request, *args, **kwargs)

    gate.admin_only = True  # type: ignore[attr-defined]  # found by tests walking the URLs
    return login_required(gate)
