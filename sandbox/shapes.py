"""Spotify Web API JSON shapes (spotify-openapi.yml 2026.5.31) for the sandbox's objects.

Fields Spotify no longer returns to Development Mode apps are left out on purpose:
popularity, label, available_markets, followers (and the other deprecated ones: genres on
artists, preview_url, linked_from, the user's country/email/product/explicit_content).
"""

from __future__ import annotations

from typing import Any

from sandbox.models import Album, Artist, Entry, Episode, LocalTrack, Playlist, Track, User

JSON = dict[str, Any]
OPEN = "https://open.spotify.com"
# Spotify's own image-size prefixes: 640, 300 and 64 pixels.
IMAGE_SIZES = (("ab67616d0000b273", 640), ("ab67616d00001e02", 300), ("ab67616d00004851", 64))


class Shapes:
    def __init__(self, api_url: str, image_url: str) -> None:
        self.api = api_url.rstrip("/")
        self.image_base = image_url.rstrip("/")

    def images(self, key: str) -> list[JSON]:
        return [
            {"url": f"{self.image_base}/image/{prefix}{key}", "height": size, "width": size}
            for prefix, size in IMAGE_SIZES
        ]

    def _ref(self, kind: str, item_id: str, path: str) -> JSON:
        return {
            "external_urls": {"spotify": f"{OPEN}/{kind}/{item_id}"},
            "href": f"{self.api}/{path}/{item_id}",
            "id": item_id,
            "type": kind,
            "uri": f"spotify:{kind}:{item_id}",
        }

    # -- artists and users ------------------------------------------------------------------
    def artist_simple(self, artist: Artist) -> JSON:
        return {**self._ref("artist", artist.id, "artists"), "name": artist.name}

    def artist(self, artist: Artist) -> JSON:
        return {**self.artist_simple(artist), "images": self.images(artist.image_key)}

    def user_ref(self, user: User) -> JSON:
        return self._ref("user", user.id, "users")

    def owner(self, user: User) -> JSON:
        return {**self.user_ref(user), "display_name": user.display_name}

    def me(self, user: User) -> JSON:
        return {
            **self.owner(user),
            "account_id": user.account_id,
            "images": self.images(user.image_key)[1:],
        }

    # -- albums and tracks -----------------------------------------------------------------
    def album_simple(self, album: Album) -> JSON:
        return {
            **self._ref("album", album.id, "albums"),
            "album_type": album.album_type,
            "total_tracks": len(album.tracks),
            "images": self.images(album.image_key),
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": album.release_date_precision,
            "artists": [self.artist_simple(a) for a in album.artists],
        }

    def album(self, album: Album) -> JSON:
        year = album.release_date[:4]
        tracks = [self.track_simple(t) for t in album.tracks]
        return {
            **self.album_simple(album),
            "tracks": self.page(tracks[:50], 0, 50, len(tracks), f"albums/{album.id}/tracks"),
            "copyrights": [
                {"text": f"© {year} {album.label}", "type": "C"},
                {"text": f"℗ {year} {album.label}", "type": "P"},
            ],
            "external_ids": {"upc": album.upc},
            "genres": [],  # required by the schema; Spotify documents it as always empty
        }

    def discography_album(self, album: Album) -> JSON:
        return {**self.album_simple(album), "album_group": album.album_type}

    def track_simple(self, track: Track) -> JSON:
        """As on album track pages: no album, no external_ids (so no ISRC)."""
        return {
            **self._ref("track", track.id, "tracks"),
            "artists": [self.artist_simple(a) for a in track.artists],
            "disc_number": track.disc_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "is_local": False,
            "name": track.name,
            "track_number": track.track_number,
        }

    def track(self, track: Track) -> JSON:
        return {
            **self.track_simple(track),
            "album": self.album_simple(track.album),
            "external_ids": {"isrc": track.isrc},
        }

    def local_track(self, local: LocalTrack) -> JSON:
        """Local files: every id and href is null; the uri is spotify:local:..."""
        no_ids: JSON = {"external_urls": {}, "href": None, "id": None, "uri": None}
        album: JSON = {
            **no_ids,
            "album_type": None,
            "total_tracks": None,
            "images": [],
            "name": local.album,
            "release_date": None,
            "release_date_precision": None,
            "artists": [],
            "type": "album",
        }
        artist = {**no_ids, "name": local.artist, "type": "artist"}
        uri_parts = (local.artist, local.album, local.name, str(local.duration_ms // 1000))
        uri = "spotify:local:" + ":".join(p.replace(" ", "+") for p in uri_parts)
        return {
            **no_ids,
            "uri": uri,
            "album": album,
            "artists": [artist],
            "disc_number": 0,
            "duration_ms": local.duration_ms,
            "explicit": False,
            "external_ids": {},
            "is_local": True,
            "name": local.name,
            "track_number": 0,
            "type": "track",
        }

    def episode(self, episode: Episode) -> JSON:
        show = episode.show
        return {
            **self._ref("episode", episode.id, "episodes"),
            "audio_preview_url": None,
            "description": episode.description,
            "html_description": f"<p>{episode.description}</p>",
            "duration_ms": episode.duration_ms,
            "explicit": episode.explicit,
            "images": self.images(show.image_key),
            "is_externally_hosted": False,
            "is_playable": True,
            "languages": ["en"],
            "name": episode.name,
            "release_date": episode.release_date,
            "release_date_precision": "day",
            "show": {
                **self._ref("show", show.id, "shows"),
                "copyrights": [],
                "description": show.description,
                "html_description": f"<p>{show.description}</p>",
                "explicit": False,
                "images": self.images(show.image_key),
                "is_externally_hosted": False,
                "languages": ["en"],
                "media_type": "audio",
                "name": show.name,
                "publisher": show.publisher,
                "total_episodes": show.total_episodes,
            },
        }

    # -- playlists --------------------------------------------------------------------------
    def playlist_images(self, playlist: Playlist) -> list[JSON]:
        # An empty playlist has no cover; others get one (a mosaic, in real life).
        return self.images(playlist.image_key)[:1] if playlist.entries else []

    def playlist_simple(self, playlist: Playlist, legacy: bool = False) -> JSON:
        ref = {"href": f"{self.api}/playlists/{playlist.id}/items", "total": len(playlist.entries)}
        shape = {
            **self._ref("playlist", playlist.id, "playlists"),
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "images": self.playlist_images(playlist),
            "name": playlist.name,
            "owner": self.owner(playlist.owner),
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id(),
            "items": ref,
        }
        if legacy:
            shape["tracks"] = dict(ref, href=f"{self.api}/playlists/{playlist.id}/tracks")
        return shape

    def entry(self, entry: Entry, legacy: bool = False) -> JSON:
        item = entry.item
        body: JSON | None
        if item is None:
            body = None
        elif isinstance(item, LocalTrack):
            body = self.local_track(item)
        elif isinstance(item, Episode):
            body = self.episode(item)
        else:
            body = self.track(item)
        shape = {
            "added_at": entry.added_at,
            "added_by": self.user_ref(entry.added_by),
            "is_local": isinstance(item, LocalTrack),
            "item": body,
        }
        if legacy:
            shape["track"] = body
        return shape

    # -- paging -----------------------------------------------------------------------------
    def page(
        self, items: list[JSON], offset: int, limit: int, total: int, path: str, extra: str = ""
    ) -> JSON:
        """Offset paging with absolute URLs, as Spotify sends them."""

        def url(at: int) -> str:
            return f"{self.api}/{path}?offset={at}&limit={limit}{extra}"

        return {
            "href": url(offset),
            "items": items,
            "limit": limit,
            "next": url(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": url(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }
