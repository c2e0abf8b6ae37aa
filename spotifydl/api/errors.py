"""Errors as JSON `{"detail": "..."}` with the pages' own words."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from spotifydl.api.auth import RateLimited


class BadRequest(Exception):
    """The request cannot be done as asked; the message says why, in the form's words."""


def install(api: NinjaAPI) -> None:
    def not_found(request: HttpRequest, exc: Http404 | type[Http404]) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Not found"}, status=404)

    def bad_request(request: HttpRequest, exc: BadRequest | type[BadRequest]) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=400)

    def unauthenticated(
        request: HttpRequest, exc: AuthenticationError | type[AuthenticationError]
    ) -> HttpResponse:
        words = "Sign in, or send a valid token as Authorization: Bearer <token>."
        return api.create_response(request, {"detail": words}, status=401)

    def limited(request: HttpRequest, exc: RateLimited | type[RateLimited]) -> HttpResponse:
        assert isinstance(exc, RateLimited)
        response = api.create_response(request, {"detail": str(exc)}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(BadRequest, bad_request)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(RateLimited, limited)
