"""AsyncSpotify: the Web API on httpx, with shared rate-limit pauses, retries and typed results.

Its HTTP client and concurrency semaphore, one per event loop, are library.spotify.transport's.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from pydantic_core import from_json

from library.spotify import types as t
from library.spotify.errors import (
    SpotifyError,
    SpotifyQuotaExceeded,
    SpotifyRateLimited,
    SpotifyUnauthorized,
    SpotifyUnavailable,
    error_for_status,
)
from library.spotify.paging import (
    PAGE_SIZE,
    cursor_paged,
    gather_all,
    newest_first_paged,
    offset_paged,
)
from library.spotify.shared_pause import app_key, shared_pause
from library.spotify.transport import loop_state

logger = logging.getLogger(__name__)

Json = dict[str, Any]
# Longer Retry-After values are a quota, not a burst: pause the work and come back later.
MAX_RETRY_AFTER_SECONDS = 60
MAX_RATE_LIMIT_WAITS = 12
MAX_TRANSIENT_RETRIES = 5
BACKOFF_CAP_SECONDS = 5.0
TIME_RANGES = ("short_term", "medium_term", "long_term")


class TokenSource(Protocol):
    """Where AsyncSpotify gets access tokens for one account."""

    async def access_token(self) -> str: ...

    async def refreshed_access_token(self, *, stale: str) -> str:
        """A token other than `stale`, refreshing it unless someone already did."""
        ...


class StaticToken:
    """A token that cannot be refreshed: right after sign-in, before the account exists."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def __repr__(self) -> str:
        return "StaticToken(...)"

    async def access_token(self) -> str:
        return self._access_token

    async def refreshed_access_token(self, *, stale: str) -> str:
        raise SpotifyUnauthorized("Spotify did not accept the new sign-in. Please try again.")


class _PauseBoard:
    """Retry-After pauses, one per account, for every request of this process: a 429 means the
    whole account waits, instead of each request discovering the limit separately. Other
    processes learn of it through `shared_pause` (per app)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def pause(self, account_key: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._until[account_key] = max(self._until.get(account_key, 0.0), until)

    async def wait(self, account_key: str) -> None:
        # A loop, not one sleep: another 429 may push the pause further while this one waits.
        while (delay := self._until.get(account_key, 0.0) - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)


pause_board = _PauseBoard()


def _retry_after_seconds(response: httpx.Response) -> float:
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return 1.0
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_body(response: httpx.Response) -> tuple[str, str]:
    """Spotify's (message, reason) from an error answer, when it has them."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error")
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        reason = str(error.get("reason") or body.get("reason") or "")
        return message, reason
    return str(body.get("error_description") or error or ""), str(body.get("reason") or "")


def _decoded(response: httpx.Response) -> Any:
    """The answer's JSON. pydantic-core's parser (django-ninja's, already loaded) takes a third
    less CPU than the json module on Spotify's pages, more with their keys cached: a library
    read decodes some 50 MB of them, its largest local cost after the database's writes."""
    return from_json(response.content, cache_strings="keys")


def _backoff(attempt: int) -> float:
    # Full jitter: retries from many requests spread out instead of arriving together.
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, settings.SPOTIFY_RETRY_BACKOFF * 2**attempt))  # noqa: S311


# --- the client --------------------------------------------------------------------------------


class AsyncSpotify:
    """The Web API for one account. Cheap to create; the connection pool is per event loop."""

    def __init__(
        self,
        *,
        tokens: TokenSource,
        account_key: str,
        api_url: str | None = None,
        max_transient_retries: int = MAX_TRANSIENT_RETRIES,
    ) -> None:
        self._tokens = tokens
        self.account_key = account_key
        self.api_url = (api_url or settings.SPOTIFY_API_URL).rstrip("/")
        self.max_transient_retries = max_transient_retries
        self.requests_made = 0
        self._quota: SpotifyQuotaExceeded | None = None
        self._memo = t.Memo()  # a client serves one read (a refresh, a sync, a page)

    def __repr__(self) -> str:
        return f"AsyncSpotify(account_key={self.account_key!r})"

    # -- transport -------------------------------------------------------------------------------

    @sensitive_variables("access_token", "headers")
    async def get(self, path: str, params: dict[str, str | int] | None = None) -> Json:
        """One GET, with 429 pauses shared per account and per app, backoff, one refresh on 401."""
        url = f"{self.api_url}/{path.lstrip('/')}"
        if params:  # httpx's params= merging cost as much CPU as the rest of building the request
            # `fields` filters keep their parentheses and commas as written: legal in a query,
            # and httpx checks a URL character by character, escapes three times as long.
            url = f"{url}?{urlencode(params, safe='(),')}"
        refreshed = False
        transient = 0
        rate_limited = 0
        while True:
            if self._quota is not None:
                # A sibling request hit the quota: do not spend another request learning it.
                raise self._quota
            await pause_board.wait(self.account_key)
            await shared_pause.wait(app_key())
            access_token = await self._tokens.access_token()
            headers = {"Authorization": f"Bearer {access_token}"}
            state = loop_state()
            try:
                async with state.semaphore:
                    self.requests_made += 1
                    response = await state.client.get(url, headers=headers)
                    body = _decoded(response) if response.is_success and response.content else {}
            except (httpx.TransportError, ValueError) as exc:
                transient += 1
                if transient > self.max_transient_retries:
                    raise SpotifyUnavailable(
                        "Spotify could not be reached (the connection kept failing). "
                        "Please try again in a few minutes."
                    ) from exc
                logger.info("Spotify %s failed (%s); retry %d", path, type(exc).__name__, transient)
                await asyncio.sleep(_backoff(transient))
                continue
            status = response.status_code
            if response.is_success:
                return body if isinstance(body, dict) else {"items": body}
            if status == 401 and not refreshed:
                refreshed = True
                await self._tokens.refreshed_access_token(stale=access_token)
                continue
            if status == 429:
                rate_limited += 1
                self._on_rate_limited(response, rate_limited)
                await shared_pause.record(app_key(), _retry_after_seconds(response))
                continue
            if status >= 500:
                transient += 1
                if transient > self.max_transient_retries:
                    raise SpotifyUnavailable(
                        f"Spotify kept failing with error {status}. Please try again later.",
                        status=status,
                    )
                await asyncio.sleep(_backoff(transient))
                continue
            raise error_for_status(status, _error_body(response)[0])

    def _on_rate_limited(self, response: httpx.Response, count: int) -> None:
        seconds = _retry_after_seconds(response)
        _message, reason = _error_body(response)
        retry_at = datetime.now(UTC) + timedelta(seconds=seconds)
        if reason == "QUOTA_EXCEEDED" or seconds > MAX_RETRY_AFTER_SECONDS:
            self._quota = SpotifyQuotaExceeded(retry_at=retry_at)
            raise self._quota
        if count > MAX_RATE_LIMIT_WAITS:
            raise SpotifyRateLimited(
                "Spotify kept asking the app to slow down. Please try again in a minute.",
                retry_at=retry_at,
            )
        logger.info("Spotify rate limit for one account: pausing %.1f s", seconds)
        pause_board.pause(self.account_key, seconds)

    async def _offset_paged(
        self, path: str, *, params: dict[str, str | int] | None = None, **kwargs: Any
    ) -> list[Any]:
        def fetch(offset: int, limit: int) -> Awaitable[Json]:
            return self.get(path, {**(params or {}), "offset": offset, "limit": limit})

        return await offset_paged(fetch, **kwargs)

    # -- reads -----------------------------------------------------------------------------------

    async def me(self) -> t.User:
        return t.parse_user(await self.get("me"))

    async def my_playlists(self) -> list[t.Playlist]:
        items = await self._offset_paged("me/playlists")
        return _parsed(items, t.parse_playlist)

    async def playlist_items(self, playlist_id: str, *, known_total: int | None) -> t.PlaylistItems:
        """A playlist's entries in order; null entries, local files and episodes are counted."""
        fields: dict[str, str | int] = {"fields": t.PLAYLIST_ITEMS_FIELDS}
        path = f"playlists/{playlist_id}/items"
        items = await self._offset_paged(path, params=fields, known_total=known_total)
        skipped, memo = t.Skipped(), self._memo
        entries = (t.parse_playlist_entry(item, i, skipped, memo) for i, item in enumerate(items))
        kept = tuple(entry for entry in entries if entry is not None)
        return t.PlaylistItems(entries=kept, skipped=skipped)

    def _fetcher(self, path: str) -> Callable[[int, int], Awaitable[Json]]:
        def fetch(offset: int, limit: int) -> Awaitable[Json]:
            return self.get(path, {"offset": offset, "limit": limit})

        return fetch

    async def saved_tracks(self, *, known: t.Known | None = None) -> t.Saves[t.SavedTrack]:
        """Liked songs, newest first; with `known` (the stored ones: save time by track id) only
        those saved since, when the rest is unchanged. Entries that are not storable tracks are
        counted."""
        items, complete = await newest_first_paged(
            self._fetcher("me/tracks"),
            known=known or {},
            key=lambda item: t.save_key(item, "track"),
        )
        saved = [
            t.SavedTrack(track=track, added_at=t.parse_time(item.get("added_at")))
            for item in items
            if isinstance(item, dict)
            and (track := t.parse_track(item.get("track"), memo=self._memo)) is not None
        ]
        return t.Saves(saved=saved, complete=complete, skipped=len(items) - len(saved))

    async def saved_albums(self, *, known: t.Known | None = None) -> t.Saves[t.SavedAlbum]:
        """Saved albums with their complete track lists (extra pages only for long albums); with
        `known`, only those saved since, as saved_tracks."""
        items, complete = await newest_first_paged(
            self._fetcher("me/albums"),
            known=known or {},
            key=lambda item: t.save_key(item, "album"),
        )
        saved = [
            t.SavedAlbum(album=album, added_at=t.parse_time(item.get("added_at")))
            for item in items
            if isinstance(item, dict)
            and (album := t.parse_album(item.get("album") or {}, self._memo)) is not None
        ]
        completed = await gather_all([self._complete_album(entry) for entry in saved])
        return t.Saves(saved=completed, complete=complete)

    async def _complete_album(self, saved: t.SavedAlbum) -> t.SavedAlbum:
        album = saved.album
        if album.tracks_total <= len(album.tracks):
            return saved
        more = await self._offset_paged(
            f"albums/{album.album.id}/tracks", known_total=album.tracks_total, start=PAGE_SIZE
        )
        extra = (t.parse_track(item, album=album.album, memo=self._memo) for item in more)
        tracks = album.tracks + tuple(track for track in extra if track is not None)
        return t.SavedAlbum(
            album=t.Album(
                album=album.album, upc=album.upc, tracks=tracks, tracks_total=len(tracks)
            ),
            added_at=saved.added_at,
        )

    async def followed_artists(self) -> list[t.Artist]:
        async def fetch(after: str | None) -> Json:
            params: dict[str, str | int] = {"type": "artist", "limit": PAGE_SIZE}
            if after:
                params["after"] = after
            return (await self.get("me/following", params)).get("artists") or {}

        return _parsed(await cursor_paged(fetch), t.parse_artist)

    async def top_artists(self, time_range: str) -> list[t.Artist]:
        items = await self._offset_paged("me/top/artists", params={"time_range": time_range})
        return _parsed(items, t.parse_artist)

    async def top_tracks(self, time_range: str) -> list[t.Track]:
        items = await self._offset_paged("me/top/tracks", params={"time_range": time_range})
        return _parsed(items, lambda item: t.parse_track(item, memo=self._memo))

    async def recently_played(self) -> list[t.PlayedTrack]:
        # Spotify keeps only the last 50 plays: one page is all there is, no cursor walk.
        page = await self.get("me/player/recently-played", {"limit": PAGE_SIZE})
        plays = []
        for item in page.get("items") or []:
            track = t.parse_track(item.get("track"), memo=self._memo)
            played_at = t.parse_time(item.get("played_at"))
            if track is not None and played_at is not None:
                plays.append(t.PlayedTrack(track=track, played_at=played_at))
        return plays


def _parsed[T](items: list[Any], parse: Callable[[Any], T | None]) -> list[T]:
    return [
        value for item in items if isinstance(item, dict) and (value := parse(item)) is not None
    ]


__all__ = [
    "TIME_RANGES",
    "AsyncSpotify",
    "SpotifyError",
    "StaticToken",
    "TokenSource",
]
