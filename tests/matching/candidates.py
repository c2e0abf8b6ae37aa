"""Tracks and uploads for the matching tests, and what the matcher makes of one or several."""

from __future__ import annotations

from downloads.pipeline.match.score import ScoredCandidate, match
from downloads.pipeline.types import Candidate, CandidateKind, TrackQuery


def track(
    name: str = "Rolling in the Deep",
    artists: tuple[str, ...] = ("Adele",),
    seconds: float = 228.1,
    album: str = "21",
    explicit: bool | None = False,
) -> TrackQuery:
    return TrackQuery(name, artists, album, int(seconds * 1000), None, explicit)


def topic(
    title: str = "Rolling in the Deep",
    artist: str = "Adele",
    seconds: float = 228,
    *,
    candidate_id: str = "topic",
    artists: tuple[str, ...] | None = None,
    album: str | None = "21",
    explicit: bool | None = False,
    views: int = 1_000_000,
) -> Candidate:
    return Candidate(
        id=candidate_id,
        title=title,
        channel=f"{artist} - Topic",
        duration=seconds,
        views=views,
        kind="song",
        artists=artists or (artist,),
        album=album,
        explicit=explicit,
    )


def video(
    title: str,
    channel: str,
    seconds: float = 228,
    *,
    candidate_id: str = "video",
    views: int = 1_000_000,
    kind: CandidateKind = "video",
) -> Candidate:
    return Candidate(candidate_id, title, channel, seconds, views, kind)


def scored(query: TrackQuery, candidate: Candidate) -> ScoredCandidate:
    return match(query, [candidate]).ranked[0]


def picked(query: TrackQuery, *candidates: Candidate) -> str | None:
    chosen = match(query, candidates).chosen
    return chosen.id if chosen else None
