"""Value types shared by the pipeline stages: what we look for, and what a search offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

CandidateKind = Literal["song", "video"]


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _optional_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _optional_names(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(name) for name in value)


@dataclass(frozen=True, slots=True)
class TrackQuery:
    """One Spotify track, reduced to what matching needs."""

    name: str
    artists: tuple[str, ...]
    album: str
    duration_ms: int
    isrc: str | None = None
    explicit: bool | None = None

    @property
    def duration_s(self) -> float | None:
        """Length in seconds, or None when Spotify gave none."""
        return self.duration_ms / 1000 if self.duration_ms > 0 else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrackQuery:
        """Read the `track` object of a match case (Spotify's field names)."""
        return cls(
            name=str(data["name"]),
            artists=tuple(str(name) for name in data.get("artists") or ()),
            album=str(data.get("album") or ""),
            duration_ms=int(data.get("duration_ms") or 0),
            isrc=_optional_str(data.get("isrc")),
            explicit=_optional_bool(data.get("explicit")),
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One search result from YouTube Music (`song`) or YouTube (`video`)."""

    id: str
    title: str
    channel: str
    duration: float | None
    views: int | None
    kind: CandidateKind
    artists: tuple[str, ...] | None = None
    album: str | None = None
    explicit: bool | None = None
    url: str | None = None
    source: str = ""
    from_isrc: bool = False  # returned by the ISRC search: the exact recording, by its code

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Candidate:
        """Read one entry of a match case's `candidates` list."""
        duration = data.get("duration")
        views = data.get("views")
        kind: CandidateKind = "song" if data.get("kind") == "song" else "video"
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            channel=str(data.get("channel") or ""),
            duration=None if duration is None else float(duration),
            views=None if views is None else int(views),
            kind=kind,
            artists=_optional_names(data.get("artists")),
            album=_optional_str(data.get("album")),
            explicit=_optional_bool(data.get("explicit")),
            url=_optional_str(data.get("url")),
            source=str(data.get("source") or ""),
            from_isrc=bool(data.get("from_isrc")),
        )
