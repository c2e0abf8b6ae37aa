"""Free-text and ISRC search over the catalog, answering YouTube-like candidate lists."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict

from sandbox.candidates import Candidate, candidate_list, isrc_first
from sandbox.models import Track
from sandbox.world import World

ISRC = re.compile(r"^[A-Z]{2}-?[A-Z0-9]{3}-?\d{2}-?\d{5}$", re.IGNORECASE)
TOKEN = re.compile(r"\w+|[^\w\s]")
NOISE = frozenset(["official", "audio", "video", "lyrics", "lyric", "topic", "hd", "hq"])
MIN_COVERAGE = 0.6  # share of the query's words a track must contain to be found


def tokens(text: str) -> frozenset[str]:
    """Lower-cased words without accents; emoji count as words; ASCII punctuation does not."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    found = (
        t for t in TOKEN.findall(folded) if not (len(t) == 1 and t.isascii() and not t.isalnum())
    )
    return frozenset(t for t in found if t not in NOISE)


def exact_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def track_tokens(track: Track) -> frozenset[str]:
    return tokens(" ".join([*(a.name for a in track.artists), track.name]))


class SearchIndex:
    def __init__(self, world: World) -> None:
        self.world = world
        self._lock = threading.Lock()
        self._postings: dict[str, set[str]] = defaultdict(set)
        self._tokens: dict[str, frozenset[str]] = {}
        self._exact: dict[str, list[str]] = defaultdict(list)  # "artist - title" -> track ids
        self._lists: dict[str, list[Candidate]] = {}

    def _refresh(self) -> None:
        catalog = self.world.catalog
        with catalog.lock:
            fresh, catalog.new_tracks = catalog.new_tracks, []
        for track in fresh:
            words = track_tokens(track)
            self._tokens[track.id] = words
            for word in words:
                self._postings[word].add(track.id)
            self._exact[exact_key(track.title_key)].append(track.id)

    def candidates(self, track: Track) -> list[Candidate]:
        with self._lock:
            if track.isrc not in self._lists:
                # One list per recording, built from its first release whichever is asked
                # about first, so answers never depend on the order of requests.
                releases = self.world.catalog.tracks_by_isrc
                same = releases[track.isrc]  # all from one artist: complete once built
                other = next((t.twin for t in same if t.twin is not None), None)
                twin = releases[other.isrc][0] if other is not None else None
                self._lists[track.isrc] = candidate_list(self.world.seed, same[0], twin)
            return self._lists[track.isrc]

    def search(self, query: str) -> list[Candidate]:
        query = query.strip()
        if not self.world.catalog.tracks_by_id:
            self.world.materialize_all()  # e.g. a fresh process serving a product's old ids
        if ISRC.match(query):
            return self._by_isrc(query.replace("-", "").upper())
        with self._lock:
            self._refresh()
            exact = sorted(self._exact.get(exact_key(query), ()))
            best = [self.world.catalog.tracks_by_id[i] for i in exact] or self._best_tracks(
                tokens(query)
            )
        merged: dict[str, Candidate] = {}
        for track in best:
            merged.update((c.id, c) for c in self.candidates(track))
        return list(merged.values())

    def _by_isrc(self, isrc: str) -> list[Candidate]:
        found = self.world.catalog.tracks_by_isrc.get(isrc)
        if not found:
            self.world.materialize_all()
            found = self.world.catalog.tracks_by_isrc.get(isrc)
        if not found:
            return []
        return isrc_first(self.candidates(found[0]), found[0], self.world.seed)

    def _best_tracks(self, query: frozenset[str]) -> list[Track]:
        """Tracks holding most of the query's words, then the fewest other words; ties (twins,
        re-releases) are all returned."""
        if not query:
            return []
        pool = set().union(*(self._postings.get(w, set()) for w in query))
        ranked: dict[tuple[float, int], list[str]] = defaultdict(list)
        for track_id in pool:
            words = self._tokens[track_id]
            covered = len(query & words) / len(query)
            if covered >= MIN_COVERAGE:
                ranked[(covered, -len(words - query))].append(track_id)
        if not ranked:
            return []
        tracks = self.world.catalog.tracks_by_id
        return [tracks[i] for i in sorted(ranked[max(ranked)])]
