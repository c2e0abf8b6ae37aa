"""Spotify Accounts: /authorize (consent page), /authorize/accept, /api/token."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import threading
import urllib.parse
from dataclasses import dataclass

from sandbox.consent import SCOPES, consent_page, error_page
from sandbox.http import Request, Response, html_response, json_response, redirect
from sandbox.tokens import Client, Grant, TokenStore
from sandbox.world import World

CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")


@dataclass
class Pending:
    """An authorize request waiting for the person to press Agree or Cancel."""

    client: Client
    redirect_uri: str
    state: str | None
    scopes: tuple[str, ...]
    challenge: str | None


def token_error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def with_query(uri: str, **params: str | None) -> str:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


class Accounts:
    def __init__(self, world: World, tokens: TokenStore) -> None:
        self.world, self.tokens = world, tokens
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()

    # -- /authorize ---------------------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        client = self.tokens.clients.get(request.arg("client_id") or "")
        if client is None:
            return html_response(error_page("INVALID_CLIENT: Invalid client"), 400)
        redirect_uri = request.arg("redirect_uri") or ""
        if redirect_uri not in client.redirect_uris:  # exact match, as Spotify checks
            message = "INVALID_CLIENT: Invalid redirect URI"
            return html_response(error_page(message), 400)
        state = request.arg("state")

        def refuse(error: str, description: str) -> Response:
            uri = with_query(redirect_uri, error=error, error_description=description, state=state)
            return redirect(uri, 302)

        if request.arg("response_type") != "code":
            return refuse("unsupported_response_type", "response_type must be code")
        scopes = tuple((request.arg("scope") or "").replace(",", " ").split())
        if any(scope not in SCOPES for scope in scopes):
            return refuse("invalid_scope", "Illegal scope")
        challenge, method = request.arg("code_challenge"), request.arg("code_challenge_method")
        if challenge is not None and (method != "S256" or not CHALLENGE.match(challenge)):
            return refuse("invalid_request", "code_challenge_method must be S256")
        if challenge is None and client.secret is None:
            return refuse("invalid_request", "code_challenge required for this client")
        pending = Pending(client, redirect_uri, state, scopes, challenge)
        if self.tokens.knobs.auto_consent:
            return self._approve(pending, self.tokens.knobs.auto_consent)
        tx = secrets.token_urlsafe(16)
        with self._lock:
            self._pending[tx] = pending
        return html_response(consent_page(tx, client.name, scopes, self.world.users))

    def accept(self, request: Request) -> Response:
        form = request.form()
        with self._lock:
            pending = self._pending.pop(form.get("tx", ""), None)
        if pending is None:
            message = "This authorization request has expired. Please try again."
            return html_response(error_page(message), 400)
        if form.get("action") != "accept":
            uri = with_query(pending.redirect_uri, error="access_denied", state=pending.state)
            return redirect(uri)
        return self._approve(pending, form.get("user") or self.world.users[0].key)

    def _approve(self, pending: Pending, user_ref: str) -> Response:
        try:
            user = self.world.user(user_ref)
        except KeyError:
            return html_response(error_page("Unknown sandbox user"), 400)
        code = self.tokens.new_code(
            pending.client.client_id,
            user.id,
            pending.scopes,
            pending.redirect_uri,
            pending.challenge,
        )
        return redirect(with_query(pending.redirect_uri, code=code, state=pending.state))

    # -- /api/token ---------------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        form = request.form()
        client_id, secret = _client_credentials(request, form)
        client = self.tokens.clients.get(client_id or "")
        if client is None:
            return token_error("invalid_client", "Invalid client")
        if secret is not None and secret != client.secret:
            return token_error("invalid_client", "Invalid client secret")
        confidential = secret is not None
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._code_grant(form, client, confidential)
        if grant_type == "refresh_token":
            return self._refresh_grant(form, client, confidential)
        return token_error("unsupported_grant_type", f"grant_type {grant_type!r} not supported")

    def _code_grant(self, form: dict[str, str], client: Client, confidential: bool) -> Response:
        code = self.tokens.take_code(form.get("code", ""))
        if code is None or code.client_id != client.client_id:
            return token_error("invalid_grant", "Invalid authorization code")
        if form.get("redirect_uri") != code.redirect_uri:
            return token_error("invalid_grant", "Invalid redirect URI")
        verifier = form.get("code_verifier")
        if code.challenge is not None:
            if verifier is None or _s256(verifier) != code.challenge:
                return token_error("invalid_grant", "code_verifier was incorrect")
        elif not confidential:
            return token_error("invalid_client", "Invalid client secret")
        grant = self.tokens.issue(code.user_id, code.scopes, client.client_id, not confidential)
        return self._grant_response(grant, include_refresh=True)

    def _refresh_grant(self, form: dict[str, str], client: Client, confidential: bool) -> Response:
        found = self.tokens.refresh(form.get("refresh_token", ""))
        if isinstance(found, str):
            return token_error("invalid_grant", found)
        if found.client_id != client.client_id:
            return token_error("invalid_grant", "Invalid refresh token")
        if not found.pkce and not confidential:
            return token_error("invalid_client", "Invalid client secret")
        grant = self.tokens.rotate(found)
        if grant is None:
            return token_error("invalid_grant", "Invalid refresh token")
        # Confidential clients keep their refresh token and, like Spotify, get none back.
        return self._grant_response(grant, include_refresh=grant.rotated)

    def _grant_response(self, grant: Grant, include_refresh: bool) -> Response:
        body = {
            "access_token": grant.access.token,
            "token_type": "Bearer",
            "scope": " ".join(grant.refresh.scopes),
            "expires_in": self.tokens.knobs.access_token_lifetime,
        }
        if include_refresh:
            body["refresh_token"] = grant.refresh.token
        return json_response(body, headers={"Cache-Control": "no-store"})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """(client_id, secret) from HTTP Basic or the form; secret None for a public client."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")
