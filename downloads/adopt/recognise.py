"""Which track of the person's library a file is: by ISRC first, then by the matcher's text
rules (the song name without its brackets and qualifiers, the credited artists) and length."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from downloads.adopt.scan import FileFacts
from downloads.pipeline.match.artists import ArtistKey, credit_parts
from downloads.pipeline.match.normalize import Tokens, similarity
from downloads.pipeline.match.titles import parse_track_title
from library.models import Track

# The song names must read as one (spelling slips allowed, another word is another song).
TITLE_SIMILARITY = 0.9
# Rips, remasters and fades differ by a second or two; another edit by much more.
DURATION_TOLERANCE_S = 4.0


class Verdict(StrEnum):
    RECOGNISED = "recognised"
    AMBIGUOUS = "ambiguous"
    UNRECOGNISED = "unrecognised"


@dataclass(frozen=True, slots=True)
class Recognition:
    verdict: Verdict
    tracks: tuple[Track, ...] = ()
    by: str = ""  # "isrc" or "tags"

    @property
    def track(self) -> Track:
        return self.tracks[0]


@dataclass(frozen=True, slots=True)
class _Entry:
    track: Track
    core: Tokens
    artists: tuple[ArtistKey, ...]


@dataclass
class LibraryIndex:
    """The person's tracks, ready to be looked up by ISRC and by song name."""

    by_isrc: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    entries: list[_Entry] = field(default_factory=list)

    @classmethod
    def of(cls, tracks: Iterable[Track]) -> LibraryIndex:
        index = cls()
        for track in tracks:
            entry = _Entry(
                track=track,
                core=parse_track_title(track.name).core,
                artists=tuple(ArtistKey.of(name) for name in track.artist_names()),
            )
            index.entries.append(entry)
            if track.isrc:
                index.by_isrc[track.isrc.upper()].append(entry)
        return index


def recognise(facts: FileFacts, index: LibraryIndex) -> Recognition:
    if facts.isrc and facts.isrc in index.by_isrc:
        found = index.by_isrc[facts.isrc]
        # One recording on several releases: the file's name and length tell them apart.
        narrowed = [e for e in found if _same_song(facts, e)] or found
        return _verdict(narrowed, "isrc")
    if not facts.title:
        return Recognition(Verdict.UNRECOGNISED)
    return _verdict([e for e in index.entries if _same_song(facts, e)], "tags")


def _verdict(entries: Sequence[_Entry], by: str) -> Recognition:
    tracks = tuple(e.track for e in entries)
    if not tracks:
        return Recognition(Verdict.UNRECOGNISED)
    if len(tracks) > 1:
        return Recognition(Verdict.AMBIGUOUS, tracks, by)
    return Recognition(Verdict.RECOGNISED, tracks, by)


def _same_song(facts: FileFacts, entry: _Entry) -> bool:
    core = parse_track_title(facts.title).core
    if similarity(core, entry.core) < TITLE_SIMILARITY:
        return False
    if not _same_artists(facts.artists, entry.artists):
        return False
    expected = entry.track.duration_ms / 1000
    return (
        facts.duration is None
        or not expected
        or abs(facts.duration - expected) <= (DURATION_TOLERANCE_S)
    )


def _same_artists(credits: Sequence[str], artists: Sequence[ArtistKey]) -> bool:
    """At least one credited name of the file is one of the track's artists."""
    names = [part for credit in credits for part in credit_parts(credit)]
    return any(artist.same_as(name) for artist in artists for name in names)
