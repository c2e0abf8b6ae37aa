"""LRCLIB on loopback: `/api/get` and `/api/search` with LRCLIB's field names and errors.

Every catalog track has a lyrics record of one kind, stable per seed and track: "synced" (synced
and plain), "plain" (plain only), "none" (404), "instrumental", or "wrong_duration" (synced, but
filed under a duration 7 s off: unlike the real /api/get, the sandbox answers it anyway, so the
product's own duration check is what refuses it). Tests may set a track's kind by hand.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sandbox.clock import Clock
from sandbox.faults import Engine, Plannable, Planned, RequestCounter
from sandbox.http import Request, Response, json_response
from sandbox.ids import stable_int
from sandbox.models import Track
from sandbox.world import World

LYRICS_KINDS = ("synced", "plain", "none", "instrumental", "wrong_duration")
LRCLIB_FAULTS = ("500", "502", "503", "reset")
_WEIGHTS = (("synced", 50), ("plain", 20), ("none", 20), ("instrumental", 3), ("wrong_duration", 7))
WRONG_BY_SECONDS = 7
LINE_GAP_SECONDS = 2.0
MAX_LINES = 40
WORDS = ("neon", "river", "static", "paper", "orbit", "ember", "signal", "velvet", "echo", "tide")


@dataclass
class LyricsKnobs(Plannable):
    latency: float = 0.0  # seconds from an /api request's arrival to its answer
    error_rate: float = 0.0  # fraction of /api requests answered 500/502/503
    planned: list[Planned] = field(default_factory=list)
    _kinds = LRCLIB_FAULTS


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def not_found() -> Response:
    body = {"code": 404, "name": "TrackNotFound", "message": "Failed to find specified track"}
    return json_response(body, 404)


def lyric_lines(track: Track) -> list[tuple[float, str]]:
    """Timed lines from half a second in, every two seconds, within the track."""
    count = max(1, min(MAX_LINES, int(track.duration_ms / 1000 / LINE_GAP_SECONDS) - 1))
    lines = []
    for index in range(count):
        words = [WORDS[stable_int(track.id, index, n) % len(WORDS)] for n in range(4)]
        lines.append((0.5 + index * LINE_GAP_SECONDS, f"{index + 1}. " + " ".join(words)))
    return lines


def lrc_stamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"[{int(minutes):02d}:{rest:05.2f}]"


class Lrclib:
    def __init__(self, world: World, seed: int, clock: Clock) -> None:
        self.world = world
        self.faults = Engine(seed, clock)
        self.knobs = LyricsKnobs()
        self.requests = RequestCounter()
        self.kinds: dict[str, str] = {}  # set by hand: track id -> kind

    def reset(self) -> None:
        self.knobs.__init__()  # type: ignore[misc]  # same object: tests may hold it
        self.faults.rng.seed(self.faults.seed)
        self.requests.clear()
        self.kinds.clear()

    def kind_of(self, track: Track) -> str:
        if track.id in self.kinds:
            return self.kinds[track.id]
        roll = stable_int(self.faults.seed, "lyrics", track.id) % 100
        for kind, weight in _WEIGHTS:
            if roll < weight:
                return kind
            roll -= weight
        return "none"

    def record(self, track: Track) -> dict[str, Any] | None:
        """The track's LRCLIB record, or None when LRCLIB has none."""
        kind = self.kind_of(track)
        if kind == "none":
            return None
        lines = lyric_lines(track)
        plain = "\n".join(text for _, text in lines)
        synced = "\n".join(f"{lrc_stamp(at)} {text}" for at, text in lines)
        duration = round(track.duration_ms / 1000)
        return {
            "id": stable_int("lrclib", track.id) % 10_000_000,
            "name": track.name,
            "trackName": track.name,
            "artistName": ", ".join(a.name for a in track.artists),
            "albumName": track.album.name,
            "duration": duration + (WRONG_BY_SECONDS if kind == "wrong_duration" else 0),
            "instrumental": kind == "instrumental",
            "plainLyrics": None if kind == "instrumental" else plain,
            "syncedLyrics": synced if kind in ("synced", "wrong_duration") else None,
        }

    def _tracks(self, name: str, artist: str | None) -> list[Track]:
        wanted, by = _fold(name), _fold(artist) if artist else None
        with self.world.lock:
            tracks = list(self.world.catalog.tracks_by_id.values())
        return [
            t
            for t in tracks
            if _fold(t.name) == wanted
            and (by is None or by in _fold(", ".join(a.name for a in t.artists)))
        ]

    def _fault(self, request: Request) -> Response | None:
        self.requests.hit(f"{request.method} {request.route}")
        with self.faults.lock:
            kind = self.faults._planned(self.knobs.planned, request.path)
            if kind is None and self.faults._roll(self.knobs.error_rate):
                kind = self.faults.rng.choice(("500", "502", "503"))
        if kind is None:
            return None
        if kind == "reset":
            return Response(reset=True)
        body = {"code": int(kind), "name": "ServerError", "message": "Internal server error"}
        return json_response(body, int(kind))

    def get(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault is not None:
            return fault
        name, artist = request.arg("track_name"), request.arg("artist_name")
        if not name or not artist:
            body = {"code": 400, "name": "ValidationError", "message": "track_name is required"}
            return json_response(body, 400)
        for track in self._tracks(name, artist):
            record = self.record(track)
            if record is not None:
                return json_response(record)
        return not_found()

    def search(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault is not None:
            return fault
        query = request.arg("q") or request.arg("track_name") or ""
        artist = request.arg("artist_name")
        found = [r for t in self._search(query, artist) if (r := self.record(t)) is not None]
        return json_response(found[:20])

    def _search(self, query: str, artist: str | None) -> list[Track]:
        exact = self._tracks(query, artist)
        if exact:
            return exact
        words = _fold(query).split()
        with self.world.lock:
            tracks = list(self.world.catalog.tracks_by_id.values())
        return [t for t in tracks if words and all(w in _fold(t.title_key) for w in words)]
