"""The Spotify Web API (/v1) as a Development Mode app sees it in 2026."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sandbox.catalog import base62_ok
from sandbox.faults import SpotifyKnobs, spotify_error
from sandbox.fields import FieldsError, fields_filter
from sandbox.http import Request, Response, Router, json_response
from sandbox.library import TIME_RANGES, iso
from sandbox.models import Album, Playlist, User
from sandbox.shapes import JSON, Shapes
from sandbox.tokens import AccessToken, TokenStore
from sandbox.world import World

T = TypeVar("T")
GONE = "This endpoint is not available to your app"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _filtered(body: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """The answer cut down to the `fields` asked for, as Spotify does."""
    if not fields:
        return body
    try:
        return dict(fields_filter(fields)(body))
    except FieldsError as exc:
        raise ApiError(400, f"Invalid fields: {exc}") from None


@dataclass
class Caller:
    user: User
    token: AccessToken


Endpoint = Callable[[Request, Caller], Response]


def int_arg(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name}") from None
    if value < low or (high is not None and value > high):
        raise ApiError(400, f"Invalid {name}")
    return value


def paging(request: Request, default: int = 20, maximum: int = 50) -> tuple[int, int]:
    return (int_arg(request, "offset", 0, 0, None), int_arg(request, "limit", default, 1, maximum))


class WebApi:
    def __init__(self, world: World, tokens: TokenStore, knobs: SpotifyKnobs) -> None:
        self.world, self.tokens, self.knobs = world, tokens, knobs
        self.shapes = Shapes("http://sandbox.invalid/v1", "http://sandbox.invalid")

    def routes(self, router: Router) -> None:
        add = router.add
        add("GET", "/v1/me", self._auth(self.me))
        add("GET", "/v1/me/playlists", self._auth(self.my_playlists))
        add("GET", "/v1/users/{id}", self._auth(self.user))
        add("GET", "/v1/playlists/{id}", self._auth(self.playlist))
        add("GET", "/v1/playlists/{id}/items", self._auth(self.playlist_items))
        add("GET", "/v1/me/tracks", self._auth(self.saved_tracks, "user-library-read"))
        add("GET", "/v1/me/albums", self._auth(self.saved_albums, "user-library-read"))
        add("GET", "/v1/albums/{id}", self._auth(self.album))
        add("GET", "/v1/albums/{id}/tracks", self._auth(self.album_tracks))
        add("GET", "/v1/tracks/{id}", self._auth(self.track))
        add("GET", "/v1/artists/{id}", self._auth(self.artist))
        add("GET", "/v1/artists/{id}/albums", self._auth(self.artist_albums))
        recent = self._auth(self.recently_played, "user-read-recently-played")
        add("GET", "/v1/me/player/recently-played", recent)
        add("GET", "/v1/me/top/{type}", self._auth(self.top, "user-top-read"))
        add("GET", "/v1/me/following", self._auth(self.following, "user-follow-read"))
        # Removed for Development Mode apps: they answer 403 whatever the query.
        gone = self._auth(lambda request, caller: spotify_error(403, GONE))
        for path in (
            "/v1/tracks",
            "/v1/albums",
            "/v1/artists",
            "/v1/playlists/{id}/tracks",
            "/v1/artists/{id}/top-tracks",
            "/v1/artists/{id}/related-artists",
        ):
            add("GET", path, gone)

    # -- plumbing ---------------------------------------------------------------------------
    def _auth(self, endpoint: Endpoint, scope: str | None = None) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            try:
                caller = self._caller(request)
                if scope is not None and scope not in caller.token.scopes:
                    raise ApiError(403, "Insufficient client scope")
                return endpoint(request, caller)
            except ApiError as error:
                return spotify_error(error.status, error.message)

        return run

    def _caller(self, request: Request) -> Caller:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise ApiError(401, "No token provided")
        found = self.tokens.access(header[7:].strip())
        if isinstance(found, str):
            raise ApiError(401, found)
        return Caller(self.world.user(found.user_id), found)

    def _lookup(self, find: Callable[[str], T | None], item_id: str) -> T:
        if not base62_ok(item_id):
            raise ApiError(400, "Invalid base62 id")
        found = find(item_id)
        if found is None:
            raise ApiError(404, "Resource not found")
        return found

    def _page(
        self,
        request: Request,
        items: list[Any],
        shape: Callable[[Any], JSON],
        path: str,
        default: int = 20,
        maximum: int = 50,
        extra: str = "",
        fields: str | None = None,
    ) -> Response:
        offset, limit = paging(request, default, maximum)
        shown = [shape(item) for item in items[offset : offset + limit]]
        page = self.shapes.page(shown, offset, limit, len(items), path, extra)
        return json_response(_filtered(page, fields))

    # -- users and playlists ----------------------------------------------------------------
    def me(self, request: Request, caller: Caller) -> Response:
        return json_response(self.shapes.me(caller.user))

    def user(self, request: Request, caller: Caller) -> Response:
        """A public profile: owners' and adders' `href`s point here."""
        ref = request.params["id"]
        try:
            found = self.world.editorial if ref == "spotify" else self.world.user(ref)
        except KeyError:
            raise ApiError(404, "Resource not found") from None
        return json_response(
            {**self.shapes.owner(found), "images": self.shapes.images(found.image_key)[1:]}
        )

    def _visible(self, playlist: Playlist, caller: Caller) -> bool:
        scopes, mine = caller.token.scopes, playlist.owner.id == caller.user.id
        if playlist.collaborative:
            return "playlist-read-collaborative" in scopes or (
                mine and "playlist-read-private" in scopes
            )
        return playlist.public or not mine or "playlist-read-private" in scopes

    def my_playlists(self, request: Request, caller: Caller) -> Response:
        library = self.world.library(caller.user)
        shown = [p for p in library.playlists if self._visible(p, caller)]
        legacy = self.knobs.legacy_track_key
        return self._page(
            request, shown, lambda p: self.shapes.playlist_simple(p, legacy), "me/playlists"
        )

    def _playlist(self, request: Request, caller: Caller) -> Playlist:
        playlist = self._lookup(self.world.playlist, request.params["id"])
        if not playlist.public and not playlist.readable_by(caller.user.id):
            raise ApiError(404, "Resource not found")
        return playlist

    def playlist(self, request: Request, caller: Caller) -> Response:
        playlist, legacy = self._playlist(request, caller), self.knobs.legacy_track_key
        body = self.shapes.playlist_simple(playlist, legacy)
        shown = playlist.readable_by(caller.user.id) and not self.knobs.playlist_omits_items
        if shown:  # items only for owners and collaborators
            entries = [self.shapes.entry(e, legacy) for e in playlist.entries[:50]]
            path = f"playlists/{playlist.id}/items"
            body["items"] = self.shapes.page(entries, 0, 50, len(playlist.entries), path)
            if legacy:
                body["tracks"] = body["items"]
        else:
            del body["items"]
            body.pop("tracks", None)
        return json_response(_filtered(body, request.arg("fields")))

    def playlist_items(self, request: Request, caller: Caller) -> Response:
        playlist = self._playlist(request, caller)
        if not playlist.readable_by(caller.user.id):
            raise ApiError(403, "You can only read items of playlists you own or collaborate on")
        legacy = self.knobs.legacy_track_key
        return self._page(
            request,
            playlist.entries,
            lambda e: self.shapes.entry(e, legacy),
            f"playlists/{playlist.id}/items",
            fields=request.arg("fields"),
        )

    # -- library ----------------------------------------------------------------------------
    def saved_tracks(self, request: Request, caller: Caller) -> Response:
        liked = self.world.library(caller.user).liked
        return self._page(
            request,
            liked,
            lambda pair: {"added_at": pair[1], "track": self.shapes.track(pair[0])},
            "me/tracks",
        )

    def saved_albums(self, request: Request, caller: Caller) -> Response:
        albums = self.world.library(caller.user).albums
        return self._page(
            request,
            albums,
            lambda pair: {"added_at": pair[1], "album": self.shapes.album(pair[0])},
            "me/albums",
        )

    def top(self, request: Request, caller: Caller) -> Response:
        kind, time_range = request.params["type"], request.arg("time_range") or "medium_term"
        if time_range not in TIME_RANGES:
            raise ApiError(400, "Invalid time range")
        library = self.world.library(caller.user)
        extra = f"&time_range={time_range}"
        if kind == "tracks":
            return self._page(
                request,
                library.top_tracks[time_range],
                self.shapes.track,
                "me/top/tracks",
                extra=extra,
            )
        if kind == "artists":
            return self._page(
                request,
                library.top_artists[time_range],
                self.shapes.artist,
                "me/top/artists",
                extra=extra,
            )
        raise ApiError(400, "Unsupported type")

    def recently_played(self, request: Request, caller: Caller) -> Response:
        limit = int_arg(request, "limit", 20, 1, 50)
        before = int_arg(request, "before", 0, 0, None) or None
        after = int_arg(request, "after", 0, 0, None) or None
        if before and after:
            raise ApiError(400, "Only one of before or after can be specified")
        plays = self.world.library(caller.user).recent  # newest first, the last 50 only
        if before:
            plays = [p for p in plays if p.played_at_ms < before]
        if after:
            plays = [p for p in plays if p.played_at_ms > after][-limit:]
        page, more = plays[:limit], len(plays) > limit
        api = self.shapes.api
        items = [
            {
                "track": self.shapes.track(p.track),
                "played_at": iso(p.played_at_ms // 1000)[:-1] + f".{p.played_at_ms % 1000:03d}Z",
                "context": self._context(p.context),
            }
            for p in page
        ]
        # Spotify answers an empty history with null cursors, not an error.
        cursors = (
            {"after": str(page[0].played_at_ms), "before": str(page[-1].played_at_ms)}
            if page
            else None
        )
        next_url = (
            f"{api}/me/player/recently-played?before={cursors['before']}&limit={limit}"
            if more and cursors
            else None
        )
        query = urllib.parse.urlencode({k: v[-1] for k, v in request.query.items()})
        return json_response(
            {
                "href": f"{api}/me/player/recently-played" + (f"?{query}" if query else ""),
                "items": items,
                "limit": limit,
                "next": next_url,
                "cursors": cursors,
            }
        )

    def _context(self, context: Playlist | Album | None) -> JSON | None:
        if context is None:
            return None
        kind, item_id = ("playlist" if isinstance(context, Playlist) else "album"), context.id
        return {
            "type": kind,
            "href": f"{self.shapes.api}/{kind}s/{item_id}",
            "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{item_id}"},
            "uri": f"spotify:{kind}:{item_id}",
        }

    def following(self, request: Request, caller: Caller) -> Response:
        if request.arg("type") != "artist":
            raise ApiError(400, "Only valid type is 'artist'")
        limit = int_arg(request, "limit", 20, 1, 50)
        followed = self.world.library(caller.user).followed
        after, start = request.arg("after"), 0
        if after:
            ids = [a.id for a in followed]
            start = ids.index(after) + 1 if after in ids else len(ids)
        page = followed[start : start + limit]
        last = page[-1].id if page else None
        more = start + limit < len(followed)
        base = f"{self.shapes.api}/me/following?type=artist"
        return json_response(
            {
                "artists": {
                    "href": base + (f"&after={after}" if after else "") + f"&limit={limit}",
                    "items": [self.shapes.artist(a) for a in page],
                    "limit": limit,
                    "next": f"{base}&after={last}&limit={limit}" if more else None,
                    "cursors": {"after": last if more else None},
                    "total": len(followed),
                }
            }
        )

    # -- catalog ----------------------------------------------------------------------------
    def track(self, request: Request, caller: Caller) -> Response:
        return json_response(
            self.shapes.track(self._lookup(self.world.track, request.params["id"]))
        )

    def album(self, request: Request, caller: Caller) -> Response:
        return json_response(
            self.shapes.album(self._lookup(self.world.album, request.params["id"]))
        )

    def album_tracks(self, request: Request, caller: Caller) -> Response:
        album = self._lookup(self.world.album, request.params["id"])
        return self._page(
            request, album.tracks, self.shapes.track_simple, f"albums/{album.id}/tracks"
        )

    def artist(self, request: Request, caller: Caller) -> Response:
        found = self._lookup(self.world.artist, request.params["id"])
        return json_response(self.shapes.artist(found))

    def artist_albums(self, request: Request, caller: Caller) -> Response:
        artist = self._lookup(self.world.artist, request.params["id"])
        albums = self.world.catalog.discography(artist)
        groups, extra = request.arg("include_groups"), ""
        if groups:
            albums = [a for a in albums if a.album_type in set(groups.split(","))]
            extra = f"&include_groups={groups}"
        # This endpoint's own limits (spotify-openapi.yml): default 5, maximum 10.
        return self._page(
            request,
            albums,
            self.shapes.discography_album,
            f"artists/{artist.id}/albums",
            5,
            10,
            extra,
        )
