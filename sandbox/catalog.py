"""The seeded, lazily generated catalog: artists, their discographies, podcast shows.

Artist `i` and everything it released come from an RNG seeded with (seed, i) only, so the same
ids appear whatever order users are generated in. Nothing is built until someone needs it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from sandbox import words
from sandbox.edge import EDGE_ARTIST_COUNT, EDGE_ARTISTS, EdgeAlbum
from sandbox.ids import BASE62, encode, hex_key, rng, spotify_id, stable_int
from sandbox.models import Album, Artist, Episode, Show, Track

COUNTRIES = ("US", "GB", "SE", "DE", "FR", "JP", "BR", "NG", "KR", "CA", "AU")
SHOW_NAMES = ("The Sandbox Hour", "Loopback Radio", "Deep Cuts Weekly")


class Catalog:
    def __init__(self, seed: int, artist_pool: int) -> None:
        self.seed = seed
        self.artist_pool = artist_pool  # how many distinct artists exist (indices)
        self.lock = threading.RLock()
        self._artists: dict[int, Artist] = {}
        self._discographies: dict[int, list[Album]] = {}
        self.artists_by_id: dict[str, Artist] = {}
        self.albums_by_id: dict[str, Album] = {}
        self.tracks_by_id: dict[str, Track] = {}
        self.tracks_by_isrc: dict[str, list[Track]] = {}
        self.episodes_by_id: dict[str, Episode] = {}
        self._shows: dict[int, Show] = {}
        self.new_tracks: list[Track] = []  # not yet seen by the media search index

    # -- artists ----------------------------------------------------------------------------
    def artist(self, index: int) -> Artist:
        with self.lock:
            found = self._artists.get(index)
            if found is None:
                found = self._make_artist(index)
                self._artists[index] = found
                self.artists_by_id[found.id] = found
            return found

    def _make_artist(self, index: int) -> Artist:
        if index < EDGE_ARTIST_COUNT:
            name = EDGE_ARTISTS[index].name
        else:
            name = words.artist_name(rng(self.seed, "artist", index))
        artist_id = spotify_id(self.seed, "artist", index)
        return Artist(index, artist_id, name, hex_key(self.seed, "artist-image", index))

    def discography(self, artist: Artist) -> list[Album]:
        with self.lock:
            albums = self._discographies.get(artist.index)
            if albums is None:
                albums = _Discography(self, artist).build()
                self._discographies[artist.index] = albums
                for album in albums:
                    self._register(album)
            return albums

    def _register(self, album: Album) -> None:
        self.albums_by_id[album.id] = album
        for track in album.tracks:
            self.tracks_by_id[track.id] = track
            self.tracks_by_isrc.setdefault(track.isrc, []).append(track)
            self.new_tracks.append(track)

    def generated_artists(self) -> Iterator[Artist]:
        with self.lock:
            return iter(list(self._artists.values()))

    # -- podcasts ---------------------------------------------------------------------------
    def show(self, index: int) -> Show:
        with self.lock:
            if index not in self._shows:
                name = SHOW_NAMES[index % len(SHOW_NAMES)]
                self._shows[index] = Show(
                    spotify_id(self.seed, "show", index),
                    name,
                    f"{name} Network",
                    f"Conversations about music, recorded in the sandbox. ({name})",
                    hex_key(self.seed, "show-image", index),
                    120,
                )
            return self._shows[index]

    def episode(self, show_index: int, number: int) -> Episode:
        show = self.show(show_index)
        r = rng(self.seed, "episode", show_index, number)
        episode = Episode(
            spotify_id(self.seed, "episode", show_index, number),
            f"#{number}: {words.track_name(r)}",
            show,
            r.randint(900, 5400) * 1000,
            f"{2020 + r.randrange(6)}-{1 + r.randrange(12):02d}-{1 + r.randrange(28):02d}",
            "An episode about " + words.track_name(r).lower() + ".",
            r.random() < 0.2,
        )
        with self.lock:
            self.episodes_by_id[episode.id] = episode
        return episode


class _Discography:
    """Builds one artist's releases: albums (some with two discs), singles, compilations."""

    def __init__(self, catalog: Catalog, artist: Artist) -> None:
        self.catalog = catalog
        self.artist = artist
        self.seed = catalog.seed
        self.r = rng(catalog.seed, "discography", artist.index)
        self.country = self.r.choice(COUNTRIES)
        self.registrant = encode(artist.index, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3)
        self.sequence = 0
        self.explicitness = self.r.choice((0.0, 0.0, 0.1, 0.4, 0.8))
        self.albums: list[Album] = []

    def build(self) -> list[Album]:
        if self.artist.index < EDGE_ARTIST_COUNT:
            for spec in EDGE_ARTISTS[self.artist.index].albums:
                self._edge_album(spec)
            return self.albums
        year = self.r.randint(1968, 2021)
        pending_singles: list[Track] = []
        for position in range(self.r.choice((1, 2, 2, 3, 3, 4, 5, 6))):
            kind = self._release_kind(position)
            if kind == "single":
                single = self._album(kind, year, self.r.randint(1, 3))
                pending_singles.extend(single.tracks[:1])
            elif kind == "compilation":
                self._compilation(year)
            else:
                album = self._album(kind, year, self.r.randint(8, 16), reuse=pending_singles)
                pending_singles = []
                if self.r.random() < 0.25 and any(t.explicit for t in album.tracks):
                    self._clean_twin(album)
            year = min(2026, year + self.r.randint(1, 4))
        return self.albums

    def _release_kind(self, position: int) -> str:
        roll = self.r.random()
        if position >= 2 and roll < 0.12:
            return "compilation"
        return "single" if roll < 0.4 else "album"

    # -- pieces ----------------------------------------------------------------------------
    def _new_album(self, name: str, kind: str, year: int) -> Album:
        number = len(self.albums)
        precision = self.r.choices(("day", "month", "year"), (85, 5, 10))[0]
        month, day = self.r.randint(1, 12), self.r.randint(1, 28)
        date = {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}"}
        album = Album(
            spotify_id(self.seed, "album", self.artist.index, number),
            name,
            kind,
            (self.artist,),
            date.get(precision, str(year)),
            precision,
            f"{stable_int(self.seed, 'upc', self.artist.index, number) % 10**12:012d}",
            self.r.choice(words.LABELS),
            hex_key(self.seed, "album-image", self.artist.index, number),
        )
        self.albums.append(album)
        return album

    def _isrc(self, year: int) -> str:
        self.sequence += 1
        return f"{self.country}{self.registrant}{year % 100:02d}{self.sequence:05d}"

    def _track(
        self,
        album: Album,
        disc: int,
        number: int,
        name: str,
        ms: int,
        explicit: bool,
        artists: tuple[Artist, ...],
        isrc: str | None = None,
    ) -> Track:
        track = Track(
            spotify_id(self.seed, "track", album.id, disc, number),
            name,
            album,
            artists,
            disc,
            number,
            ms,
            explicit,
            isrc or self._isrc(album.year),
        )
        album.tracks.append(track)
        return track

    def _duration_ms(self) -> int:
        roll = self.r.random()
        if roll < 0.02:
            seconds = self.r.randint(12, 29)  # interludes and skits
        elif roll < 0.025:
            seconds = self.r.randint(1201, 1750)  # side-long epics
        else:
            seconds = int(min(480, max(95, self.r.gauss(215, 45))))
        return seconds * 1000 + self.r.randrange(1000)

    def _credits(self) -> tuple[str, tuple[Artist, ...]]:
        name = words.track_name(self.r)
        if self.r.random() >= 0.12:
            return name, (self.artist,)
        count = self.r.choice((1, 1, 2))
        pool = range(EDGE_ARTIST_COUNT, self.catalog.artist_pool)
        guests = tuple(self.catalog.artist(self.r.choice(pool)) for _ in range(count))
        guests = tuple(g for g in dict.fromkeys(guests) if g is not self.artist)
        if guests and self.r.random() < 0.5:
            name += f" (feat. {' & '.join(g.name for g in guests)})"
        return name, (self.artist, *guests)

    def _album(self, kind: str, year: int, count: int, reuse: list[Track] | None = None) -> Album:
        name = (
            words.track_name(self.r)
            if kind == "single"
            else words.album_name(self.r, self.artist.name)
        )
        album = self._new_album(name, kind, year)
        discs = 2 if kind == "album" and "Deluxe" in name else 1
        for disc in range(1, discs + 1):
            for number in range(1, count + 1 if disc == 1 else self.r.randint(4, 8) + 1):
                if disc == 1 and reuse and number <= len(reuse):
                    old = reuse[number - 1]  # the single, again: same recording, same ISRC
                    self._track(
                        album,
                        disc,
                        number,
                        old.name,
                        old.duration_ms,
                        old.explicit,
                        old.artists,
                        isrc=old.isrc,
                    )
                    continue
                title, credits = self._credits()
                explicit = self.r.random() < self.explicitness
                self._track(album, disc, number, title, self._duration_ms(), explicit, credits)
        if kind == "single":
            album.name = album.tracks[0].name
        return album

    def _compilation(self, year: int) -> None:
        earlier = [t for a in self.albums if a.album_type == "album" for t in a.tracks]
        if not earlier:
            return
        album = self._new_album(f"The Best of {self.artist.name}", "compilation", year)
        picks = self.r.sample(earlier, min(len(earlier), self.r.randint(10, 16)))
        for number, old in enumerate(picks, start=1):
            self._track(
                album,
                1,
                number,
                old.name,
                old.duration_ms,
                old.explicit,
                old.artists,
                isrc=old.isrc,
            )

    def _clean_twin(self, album: Album) -> None:
        twin = self._new_album(album.name, album.album_type, album.year)
        twin.release_date, twin.release_date_precision = (
            album.release_date,
            album.release_date_precision,
        )
        for old in album.tracks:
            new = self._track(
                twin,
                old.disc_number,
                old.track_number,
                old.name,
                old.duration_ms + self.r.randint(-400, 400),
                False,
                old.artists,
            )
            if old.explicit:
                old.twin, new.twin = new, old

    def _edge_album(self, spec: EdgeAlbum) -> None:
        album = self._new_album(spec.name, spec.album_type, 2019 + len(self.albums))
        for number, t in enumerate(spec.tracks, start=1):
            credits: tuple[Artist, ...] = (self.artist,)
            if t.feat is not None:
                credits = (self.artist, self.catalog.artist(t.feat))
            ms = t.seconds * 1000 + self.r.randrange(1000)
            self._track(album, 1, number, t.name, ms, t.explicit, credits)
        if spec.clean_twin:
            self._clean_twin(album)


def base62_ok(value: str) -> bool:
    return len(value) == 22 and all(c in BASE62 for c in value)
