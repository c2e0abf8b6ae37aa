"""Sign-in with Spotify through spotipy (OAuth only), and the tokens it produces.

spotipy is synchronous: everything here is sync and is called with sync_to_async from async code.
Its OAuth URLs are class attributes; they are set on each instance from settings (Spotify or the
sandbox), never on the class, so nothing global changes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.views.decorators.debug import sensitive_variables
from spotipy.cache_handler import CacheHandler, MemoryCacheHandler
from spotipy.exceptions import SpotifyOauthError
from spotipy.oauth2 import SpotifyOAuth, SpotifyPKCE

from library.models import SpotifyAccount
from library.spotify import AsyncSpotify
from library.spotify.errors import SpotifyReauthRequired, SpotifyUnavailable
from library.tokens import TokenSet
from spotifydl.notifications.news import news_sign_in_expired

logger = logging.getLogger(__name__)

# The least the app needs to read a library; nothing that can change one.
SCOPES = (
    "user-library-read",
    "playlist-read-private",
    "playlist-read-collaborative",
    "user-read-recently-played",
    "user-top-read",
    "user-follow-read",
)
REQUESTS_TIMEOUT = 15
# Pending sign-ins in this browser session: state -> {"verifier", "at"}. A few at once, so
# sign-ins started in two tabs both work; each state is usable once.
PENDING_KEY = "library.oauth.pending"
MAX_PENDING = 5
PENDING_TTL_SECONDS = 15 * 60
type AuthManager = SpotifyPKCE | SpotifyOAuth


class SignInError(Exception):
    """The code exchange failed; `message` says so in plain words."""

    def __init__(self, message: str, *, error: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error = error


class DatabaseCacheHandler(CacheHandler):  # type: ignore[misc]
    """spotipy's token cache for one SpotifyAccount: the encrypted blob on its row."""

    def __init__(self, account: SpotifyAccount) -> None:
        self.account = account

    def __repr__(self) -> str:
        return f"DatabaseCacheHandler(account={self.account.pk})"

    def get_cached_token(self) -> dict[str, Any] | None:
        tokens = self.account.tokens()
        return tokens.to_info() if tokens else None

    @sensitive_variables("token_info")
    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        self.account.set_tokens(TokenSet.from_info(token_info))
        self.account.save(update_fields=SpotifyAccount.TOKEN_FIELDS)


def auth_manager(*, cache_handler: CacheHandler) -> AuthManager:
    """SpotifyPKCE, or SpotifyOAuth when a client secret is configured; URLs from settings."""
    common: dict[str, Any] = {
        "client_id": settings.SPOTIFY_CLIENT_ID,
        "redirect_uri": settings.SPOTIFY_REDIRECT_URI,
        "scope": " ".join(SCOPES),
        "cache_handler": cache_handler,
        "open_browser": False,
        "requests_timeout": REQUESTS_TIMEOUT,
    }
    manager: AuthManager
    if settings.SPOTIFY_CLIENT_SECRET:
        manager = SpotifyOAuth(client_secret=settings.SPOTIFY_CLIENT_SECRET, **common)
    else:
        manager = SpotifyPKCE(**common)
    accounts = settings.SPOTIFY_ACCOUNTS_URL.rstrip("/")
    # Instance attributes shadow spotipy's class attributes for this object only.
    manager.OAUTH_AUTHORIZE_URL = f"{accounts}/authorize"
    manager.OAUTH_TOKEN_URL = f"{accounts}/api/token"
    return manager


def uses_pkce() -> bool:
    return not settings.SPOTIFY_CLIENT_SECRET


@dataclass(frozen=True, slots=True)
class Authorization:
    url: str
    state: str
    verifier: str  # empty for the confidential (client secret) flow


def authorization_start() -> Authorization:
    """A fresh state (and PKCE verifier) and the Spotify URL that asks for consent."""
    state = secrets.token_urlsafe(24)
    manager = auth_manager(cache_handler=MemoryCacheHandler())
    if isinstance(manager, SpotifyPKCE):
        manager.get_pkce_handshake_parameters()
        return Authorization(manager.get_authorize_url(state=state), state, manager.code_verifier)
    return Authorization(manager.get_authorize_url(state=state), state, "")


def pending_sign_in_remember(*, session: SessionBase, authorization: Authorization) -> None:
    """Keep the sign-in's state and verifier in the browser session until Spotify sends it back."""
    now = time.time()
    pending = {
        state: entry
        for state, entry in session.get(PENDING_KEY, {}).items()
        if now - entry.get("at", 0) < PENDING_TTL_SECONDS
    }
    pending[authorization.state] = {"verifier": authorization.verifier, "at": now}
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-MAX_PENDING:]
    session[PENDING_KEY] = dict(newest)


@sensitive_variables("entry")
async def pending_sign_in_take(*, session: SessionBase, state: str) -> str | None:
    """The verifier of the sign-in started with `state` in this session, usable once; None when
    it was started elsewhere, took too long or was already used."""
    pending: dict[str, Any] = await session.aget(PENDING_KEY, {})
    entry = pending.pop(state, None) if state else None
    await session.aset(PENDING_KEY, pending)
    if entry is None or time.time() - entry.get("at", 0) > PENDING_TTL_SECONDS:
        return None
    verifier: str = entry.get("verifier", "")
    return verifier


@sensitive_variables("code", "verifier", "token_info")
def code_exchange(*, code: str, verifier: str) -> TokenSet:
    """Trade the authorization code (and PKCE verifier) for tokens."""
    cache = MemoryCacheHandler()
    manager = auth_manager(cache_handler=cache)
    if isinstance(manager, SpotifyPKCE):
        manager.code_verifier = verifier
        manager.code_challenge = _challenge(verifier)
    try:
        if isinstance(manager, SpotifyPKCE):
            manager.get_access_token(code=code, check_cache=False)
        else:
            manager.get_access_token(code=code, as_dict=False, check_cache=False)
    except SpotifyOauthError as exc:
        raise _sign_in_error(exc) from None
    except requests.RequestException:
        raise SignInError("Spotify could not be reached. Please try again.") from None
    token_info = cache.get_cached_token()
    if not token_info:
        raise SignInError("Spotify did not send a sign-in. Please try again.")
    if isinstance(manager, SpotifyOAuth):
        # SpotifyOAuth records the scopes asked for; the answer's own (granted) ones are kept
        # by SpotifyPKCE. Either way the stored scopes are what was agreed to.
        token_info.setdefault("scope", " ".join(SCOPES))
    return TokenSet.from_info(token_info)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _sign_in_error(exc: SpotifyOauthError) -> SignInError:
    error = getattr(exc, "error", "") or ""
    if error == "invalid_grant":
        return SignInError(
            "That sign-in link has expired or was already used. Please sign in again.",
            error=error,
        )
    return SignInError("Spotify did not accept the sign-in. Please try again.", error=error)


# --- tokens of a signed-in account -------------------------------------------------------------


def account_tokens_load(*, account_id: int) -> TokenSet:
    account = SpotifyAccount.objects.get(pk=account_id)
    tokens = account.tokens()
    if tokens is None or account.needs_reauth:
        raise SpotifyReauthRequired(account.reauth_reason)
    return tokens


@sensitive_variables("current", "stale_access_token")
def account_tokens_refresh(*, account_id: int, stale_access_token: str) -> TokenSet:
    """New tokens for the account, unless another request or process already refreshed them.

    PKCE refresh tokens are single-use: two refreshes racing with the same one would sign the
    person out. The row lock (SQLite: the IMMEDIATE transaction) makes refreshes take turns,
    and whoever comes second finds fresh tokens and uses them.
    """
    failure: SpotifyOauthError | None = None
    with transaction.atomic():
        account = SpotifyAccount.objects.select_for_update().get(pk=account_id)
        current = account.tokens()
        if current is None or account.needs_reauth:
            raise SpotifyReauthRequired(account.reauth_reason)
        if current.access_token != stale_access_token and not current.expires_soon():
            return current
        manager = auth_manager(cache_handler=DatabaseCacheHandler(account))
        try:
            manager.refresh_access_token(current.refresh_token)
        except SpotifyOauthError as exc:
            failure = exc
        except requests.RequestException:
            raise SpotifyUnavailable("Spotify could not be reached to renew the sign-in.") from None
        else:
            refreshed = account.tokens()
            if refreshed is None:  # pragma: no cover - the handler just stored them
                raise SpotifyReauthRequired()
            logger.info("Renewed the Spotify sign-in of account %s", account_id)
            return refreshed
    # Outside the transaction, so the mark is not rolled back along with the failure.
    if getattr(failure, "error", "") == "invalid_grant":
        reason = "Your Spotify sign-in has expired or was revoked. Please sign in again."
        account.require_reauth(reason)
        account.save(update_fields=SpotifyAccount.TOKEN_FIELDS)
        logger.info("Spotify refused to renew the sign-in of account %s", account_id)
        news_sign_in_expired(owner_id=account.user_id, reason=reason)
        raise SpotifyReauthRequired(reason)
    raise SpotifyUnavailable("Spotify did not renew the sign-in. Please try again later.")


class AccountTokens:
    """AsyncSpotify's token source for one stored account.

    Within one process, one refresh at a time per source; across processes the row lock in
    `account_tokens_refresh` does the same.
    """

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        self._tokens: TokenSet | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AccountTokens(account={self.account_id})"

    async def access_token(self) -> str:
        if self._tokens is None:
            self._tokens = await sync_to_async(account_tokens_load)(account_id=self.account_id)
        if self._tokens.expires_soon():
            return await self.refreshed_access_token(stale=self._tokens.access_token)
        return self._tokens.access_token

    async def refreshed_access_token(self, *, stale: str) -> str:
        async with self._lock:
            tokens = self._tokens
            if tokens is not None and tokens.access_token != stale and not tokens.expires_soon():
                return tokens.access_token
            self._tokens = await sync_to_async(account_tokens_refresh)(
                account_id=self.account_id, stale_access_token=stale
            )
            return self._tokens.access_token


async def account_spotify(*, user_id: int) -> AsyncSpotify:
    """A client acting for the person's stored account; SpotifyReauthRequired without one."""
    account = await SpotifyAccount.objects.filter(user_id=user_id).afirst()
    if account is None or account.needs_reauth:
        raise SpotifyReauthRequired(account.reauth_reason if account else "")
    return AsyncSpotify(tokens=AccountTokens(account.pk), account_key=account.account_key)
