"""The track's side of every comparison, worked out once per match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from downloads.pipeline.match.artists import ArtistKey, strip_artists
from downloads.pipeline.match.normalize import Tokens, remove_run, tokenize
from downloads.pipeline.match.titles import NOISE_TOKENS, ParsedTitle, TitlePart, parse_track_title
from downloads.pipeline.match.transliterate import is_non_latin
from downloads.pipeline.match.versions import (
    NEUTRAL_VERSION_WORDS,
    VERSION_MARKERS,
    version_names,
    version_tags,
)
from downloads.pipeline.types import TrackQuery

STOPWORDS = frozenset({
    "the", "a", "an", "of", "in", "at", "on", "from", "for", "to", "by", "with", "and", "de", "la",
    "el", "le", "y", "et", "und",
})  # fmt: skip


def content_words(words: set[str] | frozenset[str], artists: Sequence[ArtistKey]) -> set[str]:
    """Words that say something about the recording: no stopwords, noise or artist names."""
    named = {word for artist in artists for word in artist.tokens}
    return {w for w in words if w not in STOPWORDS and w not in NOISE_TOKENS and w not in named}


def qualifier_version(q: TitlePart, artists: Sequence[ArtistKey]) -> frozenset[str]:
    """What sets a "... Version" / "... Mix" qualifier apart ("owners" in "Owner's Version").

    Empty for qualifiers that are not versions, name the ordinary release ("Album Version"), are
    remasters of the same recording, or carry a version word that the tags already judge.
    """
    words = set(q.tokens)
    if not words & VERSION_MARKERS or "remaster" in words or version_tags(q.tokens):
        return frozenset()
    return frozenset(content_words(words - VERSION_MARKERS - NEUTRAL_VERSION_WORDS, artists))


def named_versions(tokens: Tokens, artists: Sequence[ArtistKey]) -> frozenset[str]:
    """Versions a title names anywhere ("Band Ver."), ignoring annotations and artist names."""
    ignored = NOISE_TOKENS | STOPWORDS | {"remaster"} | {w for a in artists for w in a.tokens}
    return version_names(tokens, frozenset(ignored))


@dataclass(frozen=True, slots=True)
class TrackFacts:
    """The Spotify track taken apart: title, artists, version words and album."""

    query: TrackQuery
    title: ParsedTitle
    artists: tuple[ArtistKey, ...]
    tags: frozenset[str]
    qualifier_words: frozenset[str]
    versions: tuple[tuple[str, frozenset[str]], ...]
    named_versions: frozenset[str]
    guests: tuple[str, ...]  # names in the title's "feat." credits, listed as artists or not
    words: frozenset[str]
    album: Tokens
    album_tags: frozenset[str]
    non_latin: bool

    @classmethod
    def of(cls, query: TrackQuery) -> TrackFacts:
        title = parse_track_title(query.name)
        artists = tuple(key for name in query.artists if (key := ArtistKey.of(name)).tokens)
        rest = strip_artists(remove_run(title.tokens, title.core), artists)
        raw_rest = title.raw.replace(title.core_raw, " ", 1)
        qualifier_words = {word for q in title.qualifiers for word in q.tokens}
        return cls(
            query=query,
            title=title,
            artists=artists,
            tags=version_tags(rest, raw_rest),
            qualifier_words=frozenset(
                content_words(qualifier_words - VERSION_MARKERS - NEUTRAL_VERSION_WORDS, artists)
            ),
            versions=tuple(
                (q.raw.strip(), words)
                for q in title.qualifiers
                if (words := qualifier_version(q, artists))
            ),
            named_versions=named_versions(title.tokens, artists),
            guests=tuple(" ".join(names) for names in title.featured),
            words=frozenset(title.tokens),
            album=tokenize(query.album),
            album_tags=version_tags(tokenize(query.album)),
            non_latin=is_non_latin(title.core_raw),
        )

    def artist_index(self, name: str) -> int | None:
        return next((i for i, a in enumerate(self.artists) if a.same_as(name)), None)
