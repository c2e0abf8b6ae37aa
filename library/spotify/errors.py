"""Typed errors from the Spotify Web API and Accounts service, each with a plain-words message.

Messages are shown to people as they are (refresh status, error pages), so they say what happened
and what to do, and never carry a token or a response body.
"""

from __future__ import annotations

from datetime import datetime


class SpotifyError(Exception):
    """Base class: `message` is fit to show to the person whose library it is."""

    status: int | None = None

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class SpotifyBadRequest(SpotifyError):
    status = 400


class SpotifyUnauthorized(SpotifyError):
    """Spotify refused the access token even after refreshing it once."""

    status = 401


class SpotifyReauthRequired(SpotifyError):
    """The refresh token is expired or revoked (`invalid_grant`): the person must sign in again."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Your Spotify sign-in has expired or was revoked. Please sign in again."
        )


class SpotifyForbidden(SpotifyError):
    status = 403


class SpotifyNotFound(SpotifyError):
    status = 404


class SpotifyRateLimited(SpotifyError):
    """Spotify kept answering 429 after several shared pauses; try again at `retry_at`."""

    status = 429

    def __init__(self, message: str, *, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class SpotifyQuotaExceeded(SpotifyRateLimited):
    """The daily quota is used up, or Retry-After is too long to wait inside a request."""

    def __init__(self, *, retry_at: datetime) -> None:
        super().__init__(
            "Spotify's request limit for this app is used up for now. "
            f"Reading resumes automatically at {retry_at:%Y-%m-%d %H:%M} UTC.",
            retry_at=retry_at,
        )


class SpotifyUnavailable(SpotifyError):
    """5xx answers or dropped connections outlasted the retries."""


def error_for_status(status: int, api_message: str) -> SpotifyError:
    """The typed error for a final 4xx answer; `api_message` is Spotify's own short reason."""
    detail = f" (Spotify said: {api_message})" if api_message else ""
    if status == 400:
        return SpotifyBadRequest(f"Spotify did not understand a request{detail}.")
    if status == 401:
        return SpotifyUnauthorized(
            f"Spotify did not accept the sign-in{detail}. Please sign in again."
        )
    if status == 403:
        return SpotifyForbidden(f"Spotify does not let this app read that{detail}.")
    if status == 404:
        return SpotifyNotFound(f"Spotify could not find that{detail}.")
    return SpotifyError(f"Spotify answered with error {status}{detail}.", status=status)
