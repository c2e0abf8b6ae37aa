"""Pick the upload that is the Spotify recording, or decline.

Each candidate first meets hard gates (a version word the track does not share, a length off by
more than a few seconds, another artist, another song name). Survivors get a score from 0 to 100:
title, artists, duration and uploader weighed together, album and views as tie-breakers. The best
survivor is chosen only when its score reaches ACCEPT_SCORE: no match beats a wrong song.
Scoring does no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from downloads.pipeline.normalize import (
    CHANNEL_TAGS,
    CONNECTORS,
    NOISE_TOKENS,
    ArtistKey,
    ParsedTitle,
    TitlePart,
    Tokens,
    channel_is_artist,
    channel_mentions,
    is_non_latin,
    parse_candidate_title,
    parse_track_title,
    part_numbers,
    remove_run,
    similarity,
    split_brackets,
    strip_artists,
    title_tokens,
    tokenize,
    topic_owner,
    version_tags,
)
from downloads.pipeline.types import Candidate, TrackQuery

TITLE_WEIGHT = 30.0  # the song name must agree before anything else matters
ARTIST_WEIGHT = 25.0  # "same title, other artist" is the classic wrong song
DURATION_WEIGHT = 25.0  # the length is the best evidence of the very same recording
SOURCE_WEIGHT = 15.0  # Topic audio is the label's master; fan uploads may be re-cut
ALBUM_WEIGHT = 4.0  # the same release separates remasters and clean/explicit twins
VIEWS_WEIGHT = 1.0  # popularity only breaks ties: famous videos are often the wrong cut

ACCEPT_SCORE = 70.0  # a weaker best is declined: a +5 s fan upload is not worth the risk
TITLE_MIN_SIMILARITY = 0.75  # below this the song name is another song's

SOURCE_TOPIC = 1.0  # "Artist - Topic": the release's own audio
SOURCE_SONG = 0.8  # a YouTube Music song credited to the artist on another channel
SOURCE_OFFICIAL_AUDIO = 0.8  # "(Official Audio)" on the artist's channel is the album audio
SOURCE_OFFICIAL = 0.65  # the artist's channel, kind of upload unknown
SOURCE_OFFICIAL_VIDEO = 0.5  # music videos add intros, skits and sound effects
SOURCE_LABEL = 0.45  # "Official ..." on another channel: a label or distributor upload

EXTRA_ARTIST_PENALTY = 6.0  # each credited artist the track lacks: a remix or duet
EXTRA_ARTIST_PENALTY_MAX = 12.0
QUALIFIER_MISSING_PENALTY = 8.0  # at most, when none of the track's qualifier words appear
QUALIFIER_EXTRA_PENALTY = 3.0  # each unexplained qualifier word ("2004 Remaster" on plain track)
QUALIFIER_EXTRA_PENALTY_MAX = 9.0

DURATION_FULL_S = 2.0  # search results round to whole seconds and encoders pad a little
DURATION_FULL_MIN_S = 1.0  # rounding alone can cost this much
DURATION_FULL_REL = 0.05  # short tracks: full credit only within 5 % of their length
SONG_DURATION_LIMIT_S = 4.0  # Topic songs carry the master's length: further off is another cut
VIDEO_DURATION_LIMIT_S = 5.0  # videos may add a little silence; more is an intro or a skit
DURATION_LIMIT_MIN_S = 1.5  # never tighter than rounding on both sides
DURATION_LIMIT_REL = 0.10  # a 25 s track 3 s off is another take
LONG_TRACK_LIMIT_REL = 0.0075  # 15-minute pieces drift a little more between masterings
DURATION_UNKNOWN_SCORE = 0.3  # no length: only a strong rest may carry it

# Version words that must agree both ways: the track has it exactly when the candidate does.
SYMMETRIC_TAGS = frozenset({
    "live", "acoustic", "remix", "cover", "karaoke", "instrumental", "acapella", "sped up",
    "slowed", "nightcore", "8D audio", "reverb", "bass-boosted", "demo", "outtake", "mashup",
    "loop", "re-recording", "mono",
})  # fmt: skip
# A YouTube Music song titled plainly can still come from a live or remix album.
ALBUM_TAGS = frozenset({
    "live", "remix", "karaoke", "instrumental", "acapella", "sped up", "slowed", "nightcore",
    "8D audio",
})  # fmt: skip
# Cuts that a plain upload title often omits: gated only when the candidate adds them.
ADDED_ONLY_TAGS = frozenset({"extended", "edit"})
VERSION_MARKERS = frozenset({"version", "mix", "edit", "take", "recording", "rendition", "cut"})
# Version qualifiers that name the ordinary release rather than another one.
NEUTRAL_VERSION_WORDS = frozenset({"original", "album", "lp", "studio", "main", "standard", "full"})
STOPWORDS = frozenset({
    "the", "a", "an", "of", "in", "at", "on", "from", "for", "to", "by", "with", "and", "de", "la",
    "el", "le", "y", "et", "und",
})  # fmt: skip
# Auto-generated channels that hold many artists' releases.
GENERIC_TOPIC_OWNERS = frozenset({"various artists", "release"})
# How a version word reads in a reason; the rest read "<tag> version".
TAG_LABELS = {
    "cover": "cover",
    "remix": "remix",
    "demo": "demo",
    "outtake": "outtake",
    "mashup": "mashup or medley",
    "loop": "loop",
    "re-recording": "re-recording",
    "edit": "edited version",
    "8D audio": "8D audio",
}


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """One candidate's score (0..100), whether it is acceptable, and why in a few words."""

    candidate: Candidate
    score: float
    accepted: bool
    reason: str
    gates: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": asdict(self.candidate),
            "score": round(self.score, 1),
            "accepted": self.accepted,
            "reason": self.reason,
            "gates": list(self.gates),
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The pick (or None), its score 0..100, a readable reason, and every candidate ranked.

    `score` is the chosen candidate's; on a decline it is the best ungated candidate's (0.0 when
    every candidate failed a gate).
    """

    chosen: Candidate | None
    score: float
    reason: str
    ranked: list[ScoredCandidate]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for storing beside a job item."""
        return {
            "chosen": None if self.chosen is None else asdict(self.chosen),
            "score": round(self.score, 1),
            "reason": self.reason,
            "ranked": [scored.to_dict() for scored in self.ranked],
        }


@dataclass(frozen=True, slots=True)
class _Track:
    """The track's side of every comparison, worked out once per match."""

    query: TrackQuery
    title: ParsedTitle
    artists: tuple[ArtistKey, ...]
    tags: frozenset[str]
    qualifier_words: frozenset[str]
    versions: tuple[tuple[str, frozenset[str]], ...]
    words: frozenset[str]
    album: Tokens
    album_tags: frozenset[str]
    non_latin: bool

    @classmethod
    def of(cls, query: TrackQuery) -> _Track:
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
                _content(qualifier_words - VERSION_MARKERS - NEUTRAL_VERSION_WORDS, artists)
            ),
            versions=tuple(
                (q.raw.strip(), words)
                for q in title.qualifiers
                if (words := _version_words(q, artists))
            ),
            words=frozenset(title.tokens),
            album=tokenize(query.album),
            album_tags=version_tags(tokenize(query.album)),
            non_latin=is_non_latin(title.core_raw),
        )

    def artist_index(self, name: str) -> int | None:
        return next((i for i, a in enumerate(self.artists) if a.same_as(name)), None)


@dataclass(slots=True)
class _Assessment:
    """Gates failed, score parts and notes for one candidate, filled in signal by signal."""

    gates: list[str]
    notes: list[str]
    points: float = 0.0


def _content(words: set[str] | frozenset[str], artists: Sequence[ArtistKey]) -> set[str]:
    """Words that say something about the recording: no stopwords, noise or artist names."""
    named = {word for artist in artists for word in artist.tokens}
    return {w for w in words if w not in STOPWORDS and w not in NOISE_TOKENS and w not in named}


def _version_words(q: TitlePart, artists: Sequence[ArtistKey]) -> frozenset[str]:
    """What sets a "... Version" / "... Mix" qualifier apart ("taylors" in "Taylor's Version").

    Empty for qualifiers that are not versions, name the ordinary release ("Album Version"), are
    remasters of the same recording, or carry a version word that the tags already judge.
    """
    words = set(q.tokens)
    if not words & VERSION_MARKERS or "remaster" in words or version_tags(q.tokens):
        return frozenset()
    return frozenset(_content(words - VERSION_MARKERS - NEUTRAL_VERSION_WORDS, artists))


def duration_limits(track_s: float, kind: str) -> tuple[float, float]:
    """(full-credit tolerance, hard limit) in seconds for a track of this length."""
    full = max(DURATION_FULL_MIN_S, min(DURATION_FULL_S, DURATION_FULL_REL * track_s))
    base = SONG_DURATION_LIMIT_S if kind == "song" else VIDEO_DURATION_LIMIT_S
    limit = max(DURATION_LIMIT_MIN_S, min(base, DURATION_LIMIT_REL * track_s))
    return full, max(full, limit, LONG_TRACK_LIMIT_REL * track_s)


def _duration(c: Candidate, t: _Track, a: _Assessment) -> None:
    track_s = t.query.duration_s
    if c.duration is None or track_s is None:
        a.points += DURATION_WEIGHT * DURATION_UNKNOWN_SCORE
        a.notes.append("duration unknown")
        return
    diff = c.duration - track_s
    full, limit = duration_limits(track_s, c.kind)
    if abs(diff) <= full:
        a.points += DURATION_WEIGHT
        a.notes.append(f"duration within {max(1, math.ceil(abs(diff)))} s")
    elif abs(diff) > limit:
        a.gates.append(f"duration {diff:+.0f} s")
    else:
        a.points += DURATION_WEIGHT * (1 - (abs(diff) - full) / (limit - full))
        a.notes.append(f"duration {diff:+.0f} s")


def _candidate_tags(c: Candidate, t: _Track, parsed: ParsedTitle, own: bool) -> frozenset[str]:
    rest = strip_artists(remove_run(parsed.tokens, t.title.core), t.artists)
    raw_rest = parsed.raw.replace(t.title.core_raw, " ", 1) if t.title.core_raw else parsed.raw
    tags = set(version_tags(rest, raw_rest))
    if own:
        tags.discard("cover")  # the artist's own channel: their recording of someone's song
    else:
        tags |= version_tags(tokenize(c.channel)) & CHANNEL_TAGS
    return frozenset(tags)


def _versions(tags: frozenset[str], t: _Track, a: _Assessment) -> None:
    for tag in sorted(SYMMETRIC_TAGS | ADDED_ONLY_TAGS):
        if tag in tags and tag not in t.tags:
            a.gates.append(TAG_LABELS.get(tag, f"{tag} version"))
        elif tag in t.tags and tag not in tags and tag in SYMMETRIC_TAGS:
            a.gates.append(f"track is {TAG_LABELS.get(tag, tag)}, this is not")


def _title(parsed: ParsedTitle, t: _Track, a: _Assessment) -> None:
    sim = similarity(parsed.core, t.title.core)
    if sim < TITLE_MIN_SIMILARITY:
        a.gates.append(f"different title '{parsed.core_raw}'" if parsed.core_raw else "no title")
        return
    a.points += TITLE_WEIGHT * sim
    track_parts, parts = part_numbers(t.title.tokens), part_numbers(parsed.tokens)
    for label in track_parts.keys() & parts.keys():
        if track_parts[label] != parts[label]:
            a.gates.append(f"different part ({label} {parts[label]})")
    if _qualifiers(parsed, t, a):
        a.notes.append("title match" if sim == 1 else "title close")


def _qualifiers(parsed: ParsedTitle, t: _Track, a: _Assessment) -> bool:
    """Version qualifiers must agree both ways; other qualifier words only cost points.

    True when the qualifiers agree completely.
    """
    for q in parsed.qualifiers:
        if _version_words(q, t.artists) - t.words:
            a.gates.append(f"different version ({q.raw.strip()})")
    for raw, words in t.versions:
        if not words <= set(parsed.tokens):
            a.gates.append(f"track is '{raw}', this is not")
    own_words = {w for q in parsed.qualifiers if not q.translation for w in q.tokens}
    missing = t.qualifier_words - set(parsed.tokens)
    extra = _content(own_words - VERSION_MARKERS - NEUTRAL_VERSION_WORDS, t.artists) - t.words
    if missing:
        a.points -= QUALIFIER_MISSING_PENALTY * len(missing) / len(t.qualifier_words)
        a.notes.append(f"title lacks '{' '.join(sorted(missing))}'")
    if extra:
        a.points -= min(QUALIFIER_EXTRA_PENALTY_MAX, QUALIFIER_EXTRA_PENALTY * len(extra))
        a.notes.append(f"title adds '{' '.join(sorted(extra))}'")
    return not missing and not extra


def _extra_artists(c: Candidate, t: _Track, parsed: ParsedTitle) -> list[str]:
    extras = [name for name in c.artists or () if t.artist_index(name) is None]
    for featured in parsed.featured:
        rest = [w for w in strip_artists(featured, t.artists) if w not in CONNECTORS]
        if rest and not any(ArtistKey.of(" ".join(rest)).same_as(name) for name in extras):
            extras.append(" ".join(rest))
    return extras


def _artists(c: Candidate, t: _Track, parsed: ParsedTitle, a: _Assessment) -> None:
    if not t.artists:
        a.points += ARTIST_WEIGHT
        return
    found = {t.artist_index(name) for name in c.artists or ()} - {None}
    found |= {i for i, artist in enumerate(t.artists) if artist.find(parsed.tokens)}
    found |= {
        i
        for i, artist in enumerate(t.artists)
        if channel_is_artist(c.channel, artist) or channel_mentions(c.channel, artist)
    }
    extras = _extra_artists(c, t, parsed)
    owner = topic_owner(c.channel)
    if owner and t.artist_index(owner) is None and owner.casefold() not in GENERIC_TOPIC_OWNERS:
        a.gates.append(f"Topic channel of another artist ({owner})")
    elif parsed.credits and not any(
        artist.find(credit.tokens) for credit in parsed.credits for artist in t.artists
    ):
        a.gates.append(f"credited to {parsed.credits[0].raw}")
    elif not found:
        a.gates.append(f"different artist ({extras[0]})" if extras else "artist not found")
        return
    others = len(t.artists) - 1
    share = 1.0 if 0 in found else 0.0
    if others:
        share = 0.6 * share + 0.4 * len(found - {0}) / others
    a.points += ARTIST_WEIGHT * share
    a.points -= min(EXTRA_ARTIST_PENALTY_MAX, EXTRA_ARTIST_PENALTY * len(extras))
    if share == 1:
        a.notes.append("artist match")
    else:
        a.notes.append(f"{len(found)} of {len(t.artists)} artists")
    if extras:
        a.notes.append(f"also credits {', '.join(extras)}")


def _is_own(c: Candidate, t: _Track) -> bool:
    """True when a track artist uploaded it: their Topic channel or their own channel."""
    owner = topic_owner(c.channel)
    if owner is not None:
        return t.artist_index(owner) is not None
    return any(channel_is_artist(c.channel, artist) for artist in t.artists)


def _source(c: Candidate, t: _Track, parsed: ParsedTitle, a: _Assessment) -> None:
    # Whose Topic channel or YouTube Music song it is was judged by _artists.
    own = _is_own(c, t)
    if topic_owner(c.channel) is not None:
        value, label = SOURCE_TOPIC, "Topic upload"
    elif c.kind == "song":
        value, label = SOURCE_SONG, "YouTube Music song"
    elif own and "audio" in parsed.flags:
        value, label = SOURCE_OFFICIAL_AUDIO, "official audio on the artist's channel"
    elif own and "video" in parsed.flags:
        value, label = SOURCE_OFFICIAL_VIDEO, "music video on the artist's channel"
    elif own:
        value, label = SOURCE_OFFICIAL, "artist's channel"
    elif "official" in parsed.flags:
        value, label = SOURCE_LABEL, f"official upload on {c.channel}"
    else:
        # Lyric and fan channels re-encode, trim or pitch-shift: never proof of the recording.
        a.gates.append(f"unofficial upload ({c.channel})")
        return
    a.points += SOURCE_WEIGHT * value
    a.notes.insert(0, label)


def _explicit(c: Candidate, t: _Track, tags: frozenset[str], a: _Assessment) -> None:
    """Clean and explicit masters differ in the words heard, so a known disagreement rejects."""
    flag = c.explicit
    if flag is None and ("explicit" in tags) != ("clean" in tags):
        flag = "explicit" in tags
    if t.query.explicit is None or flag is None:
        return
    if flag != t.query.explicit:
        a.gates.append(
            "explicit version of a clean track" if flag else "clean edit of an explicit track"
        )
    elif flag:
        a.notes.append("explicit like the track")


def _album_and_views(c: Candidate, t: _Track, a: _Assessment) -> None:
    album_tags = version_tags(tokenize(c.album or "")) & ALBUM_TAGS
    for tag in sorted(album_tags - t.tags - t.album_tags):
        a.gates.append(f"from a {tag} album ({c.album})")
    if c.album and t.album:
        if tokenize(c.album) == t.album:
            a.points += ALBUM_WEIGHT
            a.notes.append("same album")
        elif title_tokens(split_brackets(c.album)[0]) == title_tokens(
            split_brackets(t.query.album)[0]
        ):
            a.points += ALBUM_WEIGHT / 2
    if c.views:
        a.points += VIEWS_WEIGHT * min(1.0, math.log10(c.views + 1) / 10)


def _assess(c: Candidate, t: _Track) -> ScoredCandidate:
    parsed = parse_candidate_title(c.title, t.title, t.artists, t.non_latin)
    tags = _candidate_tags(c, t, parsed, own=_is_own(c, t))
    a = _Assessment(gates=[], notes=[])
    _versions(tags, t, a)
    _duration(c, t, a)
    _artists(c, t, parsed, a)
    _title(parsed, t, a)
    _source(c, t, parsed, a)
    _explicit(c, t, tags, a)
    _album_and_views(c, t, a)
    score = max(0.0, min(100.0, a.points))
    if a.gates:
        return ScoredCandidate(c, score, False, "; ".join(a.gates), tuple(a.gates))
    reason = ", ".join(a.notes)
    if score < ACCEPT_SCORE:
        return ScoredCandidate(c, score, False, f"score {score:.0f} < {ACCEPT_SCORE:.0f}: {reason}")
    return ScoredCandidate(c, score, True, reason)


def _rank_key(scored: ScoredCandidate) -> tuple[bool, bool, float]:
    return (not scored.accepted, bool(scored.gates), -scored.score)


def match(track: TrackQuery, candidates: Sequence[Candidate]) -> MatchResult:
    """Choose the candidate that is `track`'s recording, or decline with the reason."""
    t = _Track.of(track)
    ranked = sorted((_assess(c, t) for c in candidates), key=_rank_key)
    if not ranked:
        return MatchResult(None, 0.0, "No candidates to match", ranked)
    best = ranked[0]
    if best.accepted:
        return MatchResult(best.candidate, best.score, best.reason, ranked)
    ungated = [s.score for s in ranked if not s.gates]
    described = f"'{best.candidate.title}' ({best.candidate.channel}): {best.reason}"
    return MatchResult(
        None, max(ungated, default=0.0), f"No candidate matched: best was {described}", ranked
    )
