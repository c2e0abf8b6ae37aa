"""Registered apps, authorization codes, access and refresh tokens (all in memory)."""

from __future__ import annotations

import secrets
import threading
import urllib.parse
from dataclasses import dataclass, field

from sandbox.clock import Clock
from sandbox.faults import SpotifyKnobs


@dataclass
class Client:
    client_id: str
    secret: str | None
    redirect_uris: list[str]
    name: str


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    redirect_uri: str
    challenge: str | None
    expires_at: float


@dataclass
class AccessToken:
    token: str
    user_id: str
    scopes: frozenset[str]
    client_id: str
    expires_at: float


@dataclass
class RefreshToken:
    token: str
    user_id: str
    scopes: tuple[str, ...]
    client_id: str
    pkce: bool  # public-client tokens are single-use and rotated
    expires_at: float  # fixed at sign-in; rotation does not extend it


@dataclass
class Grant:
    access: AccessToken
    refresh: RefreshToken
    rotated: bool = field(default=False)


def check_redirect_uri(uri: str) -> None:
    """Spotify accepts https, or http on a loopback literal; `localhost` is refused."""
    parts = urllib.parse.urlsplit(uri)
    loopback = parts.hostname in ("127.0.0.1", "::1")
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        return
    raise ValueError(f"redirect URI {uri!r} is not allowed: use https or http://127.0.0.1")


class TokenStore:
    def __init__(self, clock: Clock, knobs: SpotifyKnobs) -> None:
        self.clock, self.knobs = clock, knobs
        self.lock = threading.Lock()
        self.clients: dict[str, Client] = {}
        self._codes: dict[str, AuthCode] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._revoked: set[str] = set()

    def register_client(
        self, client_id: str, secret: str | None, redirect_uris: list[str], name: str
    ) -> Client:
        for uri in redirect_uris:
            check_redirect_uri(uri)
        client = Client(client_id, secret, list(redirect_uris), name)
        with self.lock:
            self.clients[client_id] = client
        return client

    def reset(self) -> None:
        with self.lock:
            self._codes.clear()
            self._access.clear()
            self._refresh.clear()
            self._revoked.clear()

    # -- codes ------------------------------------------------------------------------------
    def new_code(
        self,
        client_id: str,
        user_id: str,
        scopes: tuple[str, ...],
        redirect_uri: str,
        challenge: str | None,
    ) -> str:
        code = "AQ" + secrets.token_urlsafe(96)
        expires = self.clock.now() + self.knobs.code_lifetime
        with self.lock:
            self._codes[code] = AuthCode(
                code, client_id, user_id, scopes, redirect_uri, challenge, expires
            )
        return code

    def take_code(self, code: str) -> AuthCode | None:
        """Codes are single-use: taking one removes it, valid or not."""
        with self.lock:
            found = self._codes.pop(code, None)
        if found is None or found.expires_at <= self.clock.now():
            return None
        return found

    # -- tokens -----------------------------------------------------------------------------
    def issue(
        self,
        user_id: str,
        scopes: tuple[str, ...],
        client_id: str,
        pkce: bool,
        refresh_expires_at: float | None = None,
    ) -> Grant:
        now = self.clock.now()
        access = AccessToken(
            "BQ" + secrets.token_urlsafe(150),
            user_id,
            frozenset(scopes),
            client_id,
            now + self.knobs.access_token_lifetime,
        )
        expires = refresh_expires_at or now + self.knobs.refresh_token_lifetime
        refresh = RefreshToken(
            "AQ" + secrets.token_urlsafe(96), user_id, scopes, client_id, pkce, expires
        )
        with self.lock:
            self._access[access.token] = access
            self._refresh[refresh.token] = refresh
        return Grant(access, refresh)

    def access(self, token: str) -> AccessToken | str:
        """The token, or the reason it is refused (Spotify's 401 message)."""
        found = self._access.get(token)
        if found is None:
            return "Invalid access token"
        if found.expires_at <= self.clock.now():
            return "The access token expired"
        return found

    def refresh(self, token: str) -> RefreshToken | str:
        found = self._refresh.get(token)
        if found is None:
            return "Refresh token revoked" if token in self._revoked else "Invalid refresh token"
        if found.expires_at <= self.clock.now():
            return "Refresh token expired"
        return found

    def rotate(self, old: RefreshToken) -> Grant | None:
        """A new access token; PKCE refresh tokens are replaced (the old one dies)."""
        with self.lock:
            if old.pkce and self._refresh.pop(old.token, None) is None:
                return None  # used twice at once: the loser is refused
        if old.pkce:
            grant = self.issue(old.user_id, old.scopes, old.client_id, True, old.expires_at)
            grant.rotated = True
            return grant
        grant = self.issue(old.user_id, old.scopes, old.client_id, False, old.expires_at)
        with self.lock:
            self._refresh.pop(grant.refresh.token, None)  # confidential: the old one stays
        return Grant(grant.access, old)

    def expire_access_tokens(self) -> int:
        now = self.clock.now()
        with self.lock:
            for token in self._access.values():
                token.expires_at = min(token.expires_at, now)
            return len(self._access)

    def revoke_refresh_tokens(self, user_id: str) -> int:
        with self.lock:
            doomed = [t for t, r in self._refresh.items() if r.user_id == user_id]
            for token in doomed:
                del self._refresh[token]
            self._revoked.update(doomed)
            return len(doomed)
