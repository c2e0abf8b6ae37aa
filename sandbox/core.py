"""The Sandbox: Spotify (Accounts + Web API) and YouTube (Music search + media) on two ports."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.accounts import Accounts
from sandbox.admin import admin_routes
from sandbox.clock import Clock
from sandbox.consent import SCOPES
from sandbox.faults import (
    RequestCounter,
    SpotifyFaults,
    SpotifyKnobs,
    answered_after,
    spotify_error,
)
from sandbox.http import HttpServer, Request, Response, Router, json_response
from sandbox.images import Images
from sandbox.lrclib import Lrclib, LyricsKnobs
from sandbox.media import MediaSource
from sandbox.models import User
from sandbox.shapes import Shapes
from sandbox.spotify import WebApi
from sandbox.tokens import TokenStore
from sandbox.world import World
from sandbox.youtube_faults import MediaFaults, MediaKnobs
from sandbox.ytmusic import PAGE_SIZE, YouTubeMusic

DEFAULT_CLIENT_ID = "sandbox-default-client"


class Sandbox:
    def __init__(self, seed: int = 1, preset: str = "tiny", cache_dir: Path | str | None = None):
        self.seed, self.preset = seed, preset
        self.clock = Clock()
        self.world = World(seed, preset)
        self._spotify_faults = SpotifyFaults(seed, self.clock)
        self._media_faults = MediaFaults(seed, self.clock, "tiny" if preset == "tiny" else "real")
        self._own_cache = cache_dir is None
        # Made lazily, by the first image or audio file: an unused sandbox leaves nothing behind.
        default = Path(tempfile.gettempdir()) / f"spotifydl-sandbox-{uuid.uuid4().hex[:12]}"
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default
        self.tokens = TokenStore(self.clock, self.knobs)
        self.accounts = Accounts(self.world, self.tokens)
        self.api = WebApi(self.world, self.tokens, self.knobs)
        self.images = Images(self.cache_dir)
        self.requests = RequestCounter()
        # YouTube requests by kind ("search", "page", "media"): what a real run would cost.
        self.youtube_requests = RequestCounter()
        self.media = MediaSource(
            self.world, self.cache_dir, self._media_faults, self.youtube_requests
        )
        self.ytmusic = YouTubeMusic(self.media.index, self._media_faults, self.youtube_requests)
        self.lrclib = Lrclib(self.world, seed, self.clock)
        self._servers: list[HttpServer] = []
        self.accounts_url = self.api_url = self.media_url = self.lrclib_url = ""
        self._spotify_router, self._media_router = self._routes()
        self._lrclib_router = self._lrclib_routes()

    # -- knobs and state ----------------------------------------------------------------------
    @property
    def knobs(self) -> SpotifyKnobs:
        return self._spotify_faults.knobs

    @property
    def media_knobs(self) -> MediaKnobs:
        return self._media_faults.knobs

    @property
    def lyrics_knobs(self) -> LyricsKnobs:
        return self.lrclib.knobs

    @property
    def users(self) -> list[User]:
        return self.world.users

    def user(self, ref: str) -> User:
        return self.world.user(ref)

    def state(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "preset": self.preset,
            "accounts_url": self.accounts_url,
            "api_url": self.api_url,
            "media_url": self.media_url,
            "ytmusic_url": self.media_url,
            "lrclib_url": self.lrclib_url,
            "watch_base": self.watch_base,
            "users": [
                {
                    "key": u.key,
                    "id": u.id,
                    "display_name": u.display_name,
                    "account_id": u.account_id,
                    "liked": u.spec.liked,
                    "playlists": u.spec.playlists,
                    "persona": u.spec.persona,
                }
                for u in self.users
            ],
            "knobs": self.knobs.as_dict(),
            "media_knobs": self.media_knobs.as_dict(),
            "requests": dict(self.requests),
            "youtube_requests": dict(self.youtube_requests),
            "faults_injected": self.faults_injected(),
            "lyrics_knobs": self.lyrics_knobs.as_dict(),
            "lrclib_requests": dict(self.lrclib.requests),
        }

    @property
    def watch_base(self) -> str:
        """The product's YOUTUBE_WATCH_BASE for this sandbox: the video id is appended."""
        return f"{self.media_url}/watch?v="

    def watch_url(self, video_id: str) -> str:
        return self.watch_base + video_id

    def youtube_settings(self) -> dict[str, str]:
        """The product's settings that send YouTube Music search and video downloads here."""
        return {"YTMUSIC_BASE_URL": self.media_url, "YOUTUBE_WATCH_BASE": self.watch_base}

    def youtube_request_counts(self) -> dict[str, int]:
        """YouTube requests by kind since the last reset: search, page (YouTube Music's home
        page, yt-dlp's watch-page probe) and media (the downloads themselves)."""
        return {kind: self.youtube_requests[kind] for kind in ("search", "page", "media")}

    def faults_injected(self) -> dict[str, dict[str, int]]:
        """Faults answered since the last reset, by kind: Spotify's (/v1) and YouTube's."""
        return {
            "spotify": dict(self._spotify_faults.injected),
            "youtube": dict(self._media_faults.injected),
        }

    def reset_counters(self) -> None:
        self.requests.clear()
        self.youtube_requests.clear()
        self.lrclib.requests.clear()
        self._spotify_faults.injected.clear()
        self._media_faults.injected.clear()

    def drop_connections(self) -> None:
        """The servers close every open connection, kept-alive idle ones included."""
        for server in self._servers:
            server.drop_connections()

    def reset(self) -> None:
        """Knobs, counters, tokens, clock and every playlist back to the seed state."""
        self._spotify_faults.reset()
        self._media_faults.reset()
        self.media.forget_clients()
        self.ytmusic.page_size = PAGE_SIZE
        self.tokens.reset()
        self.accounts.reset()
        self.world.reset()
        self.clock.reset()
        self.lrclib.reset()
        self.reset_counters()

    # -- clients and tokens ---------------------------------------------------------------------
    def register_client(
        self,
        client_id: str,
        client_secret: str | None = None,
        redirect_uris: list[str] | None = None,
        name: str = "spotifydl",
    ) -> None:
        """Like the Spotify dashboard: https or http://127.0.0.1 redirect URIs; re-registering
        the same id replaces it."""
        self.tokens.register_client(client_id, client_secret, list(redirect_uris or []), name)

    def issue_token(
        self,
        user_id: str,
        scopes: list[str] | tuple[str, ...] | None = None,
        *,
        client_id: str | None = None,
        pkce: bool = True,
    ) -> tuple[str, str]:
        """(access, refresh) for a user (key or id), skipping the browser; all scopes by default."""
        user = self.world.user(user_id)
        if client_id is None:
            client_id = next(iter(self.tokens.clients), DEFAULT_CLIENT_ID)
            if client_id == DEFAULT_CLIENT_ID:
                self.register_client(DEFAULT_CLIENT_ID, None, [], "sandbox")
        chosen = tuple(SCOPES) if scopes is None else tuple(scopes)
        grant = self.tokens.issue(user.id, chosen, client_id, pkce)
        return grant.access.token, grant.refresh.token

    def expire_access_tokens(self) -> int:
        """Every access token issued so far expires now (tokens expiring mid-run)."""
        return self.tokens.expire_access_tokens()

    def revoke_refresh_tokens(self, user_id: str) -> int:
        return self.tokens.revoke_refresh_tokens(self.world.user(user_id).id)

    # -- library edits and expectations -----------------------------------------------------------
    def playlist_add(
        self,
        playlist_id: str,
        track_ids: list[str],
        position: int | None = None,
        added_by: str | None = None,
    ) -> str:
        """Adds tracks (ids or spotify: URIs, episodes too); returns the new snapshot_id."""
        return self.world.playlist_add(playlist_id, list(track_ids), position, added_by)

    def playlist_remove(self, playlist_id: str, track_ids: list[str]) -> str:
        return self.world.playlist_remove(playlist_id, list(track_ids))

    def playlist_move(
        self, playlist_id: str, range_start: int, insert_before: int, range_length: int = 1
    ) -> str:
        return self.world.playlist_move(playlist_id, range_start, insert_before, range_length)

    def user_library(self, user_id: str) -> dict[str, Any]:
        return self.world.user_library(user_id)

    def expected_candidates(self, track_id: str) -> set[str]:
        return self.media.expected_candidates(track_id)

    # -- servers ----------------------------------------------------------------------------------
    def _routes(self) -> tuple[Router, Router]:
        spotify, media = Router(), Router()
        spotify.add("GET", "/authorize", self.accounts.authorize)
        spotify.add("POST", "/authorize/accept", self.accounts.accept)
        spotify.add("POST", "/api/token", self.accounts.token)
        spotify.add("GET", "/image/{name}", self.images.serve)
        self.api.routes(spotify)
        media.add("GET", "/", self.ytmusic.home)
        media.add("POST", "/youtubei/v1/search", self.ytmusic.search)
        media.add("GET", "/watch", self.media.watch)
        media.add("GET", "/media/{file}", self.media.media)
        admin_routes(spotify, self)
        admin_routes(media, self)
        return spotify, media

    def _lrclib_routes(self) -> Router:
        router = Router()
        router.add("GET", "/api/get", self.lrclib.get)
        router.add("GET", "/api/search", self.lrclib.search)
        admin_routes(router, self)
        return router

    def lyrics_record(self, track_id: str) -> dict[str, Any] | None:
        """What LRCLIB holds for a catalog track (its kind decides), or None."""
        track = self.world.track(track_id)
        if track is None:
            raise KeyError(f"no sandbox track {track_id!r}")
        return self.lrclib.record(track)

    def set_lyrics_kind(self, track_id: str, kind: str) -> None:
        """One of sandbox.lrclib.LYRICS_KINDS for this track, until reset()."""
        from sandbox.lrclib import LYRICS_KINDS

        if kind not in LYRICS_KINDS:
            raise ValueError(f"unknown lyrics kind {kind!r}; choose one of {LYRICS_KINDS}")
        self.lrclib.kinds[track_id] = kind

    def _dispatch(self, router: Router, request: Request) -> Response:
        if len(request.path) > 1:
            request.path = request.path.rstrip("/")  # spotipy asks for "me/", "tracks/?ids="
        found = router.resolve(request.method, request.path)
        if isinstance(found, int):
            if request.path.startswith("/v1"):
                return spotify_error(found, "Service not found")
            return json_response({"error": {"status": found, "message": "Not found"}}, found)
        handler, request.params, request.route = found
        if request.route.startswith("/_sandbox"):  # the tests' own controls: no count, no delay
            return handler(request)
        self.requests.hit(f"{request.method} {request.route}")
        if request.route.startswith("/v1/"):
            spotify = self._spotify_faults
            return answered_after(
                spotify.knobs.latency, lambda: spotify.check(request) or handler(request)
            )
        if router is self._media_router:
            return answered_after(self._media_faults.knobs.latency, lambda: handler(request))
        return handler(request)

    def _dispatch_lrclib(self, request: Request) -> Response:
        """LRCLIB counts its own requests (sb.lrclib.requests), apart from Spotify's."""
        found = self._lrclib_router.resolve(request.method, request.path.rstrip("/") or "/")
        if isinstance(found, int):
            return json_response({"code": found, "name": "NotFound", "message": "Not found"}, found)
        handler, request.params, request.route = found
        return answered_after(self.lrclib.knobs.latency, lambda: handler(request))

    def start(
        self, host: str = "127.0.0.1", port: int = 0, media_port: int = 0, lrclib_port: int = 0
    ) -> Sandbox:
        spotify = HttpServer(lambda r: self._dispatch(self._spotify_router, r), host, port)
        media = HttpServer(lambda r: self._dispatch(self._media_router, r), host, media_port)
        lrclib = HttpServer(self._dispatch_lrclib, host, lrclib_port)
        self._servers = [spotify.start(), media.start(), lrclib.start()]
        self.accounts_url, self.media_url = spotify.url, media.url
        self.lrclib_url = lrclib.url
        self.api_url = f"{spotify.url}/v1"
        self.api.shapes = Shapes(self.api_url, self.accounts_url)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers = []
        if self._own_cache:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self.start() if not self._servers else self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
