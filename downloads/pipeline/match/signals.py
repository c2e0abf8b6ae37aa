"""What one candidate shows: gates it fails, points it earns, and notes for the reason.

Hard gates (a version one side lacks, a length off by more than a few seconds, other credits,
another song name) reject; the rest adds up to a score from 0 to 100: title, artists, duration
and uploader weighed together, album and views as tie-breakers. No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from downloads.pipeline.match.artists import (
    CONNECTORS,
    GENERIC_TOPIC_OWNERS,
    ArtistKey,
    channel_is_artist,
    channel_mentions,
    check_credits,
    strip_artists,
    topic_owner,
    without_aliases,
)
from downloads.pipeline.match.normalize import remove_run, similarity, title_tokens, tokenize
from downloads.pipeline.match.titles import (
    ParsedTitle,
    parse_candidate_title,
    part_numbers,
    split_brackets,
)
from downloads.pipeline.match.track import (
    TrackFacts,
    content_words,
    named_versions,
    qualifier_version,
)
from downloads.pipeline.match.versions import (
    ADDED_ONLY_TAGS,
    ALBUM_TAGS,
    CHANNEL_TAGS,
    NEUTRAL_VERSION_WORDS,
    SYMMETRIC_TAGS,
    TAG_LABELS,
    VERSION_MARKERS,
    version_tags,
)
from downloads.pipeline.types import Candidate

TITLE_WEIGHT = 30.0  # the song name must agree before anything else matters
ARTIST_WEIGHT = 25.0  # "same title, other artist" is the classic wrong song
DURATION_WEIGHT = 25.0  # the length is the best evidence of the very same recording
SOURCE_WEIGHT = 15.0  # Topic audio is the label's master; fan uploads may be re-cut
ALBUM_WEIGHT = 4.0  # the same release separates remasters and clean/explicit twins
VIEWS_WEIGHT = 1.0  # popularity only breaks ties: famous videos are often the wrong cut

TITLE_MIN_SIMILARITY = 0.75  # below this the song name is another song's
OTHER_SCRIPT_ARTIST_SHARE = 0.5  # a credit we cannot read is unknown: half credit, no gate

SOURCE_TOPIC = 1.0  # "Artist - Topic": the release's own audio
SOURCE_SONG = 0.8  # a YouTube Music song credited to the artist on another channel
SOURCE_OFFICIAL_AUDIO = 0.8  # "(Official Audio)" on the artist's channel is the album audio
SOURCE_OFFICIAL = 0.65  # the artist's channel, kind of upload unknown
SOURCE_OFFICIAL_VIDEO = 0.5  # music videos add intros, skits and sound effects
SOURCE_LABEL = 0.45  # "Official ..." on another channel: a label or distributor upload

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


@dataclass(slots=True)
class Assessment:
    """Gates failed, score parts and notes for one candidate, filled in signal by signal.

    `unofficial` marks a lyric or fan upload; `faithful` says whether it is plainly the same
    recording (length within rounding, title and every credit equal), which is what a last
    resort must be.
    """

    gates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    points: float = 0.0
    unofficial: bool = False
    exact_length: bool = False
    exact_title: bool = False
    exact_credits: bool = False

    @property
    def faithful(self) -> bool:
        return self.exact_length and self.exact_title and self.exact_credits


def duration_limits(track_s: float, kind: str) -> tuple[float, float]:
    """(full-credit tolerance, hard limit) in seconds for a track of this length."""
    full = max(DURATION_FULL_MIN_S, min(DURATION_FULL_S, DURATION_FULL_REL * track_s))
    base = SONG_DURATION_LIMIT_S if kind == "song" else VIDEO_DURATION_LIMIT_S
    limit = max(DURATION_LIMIT_MIN_S, min(base, DURATION_LIMIT_REL * track_s))
    return full, max(full, limit, LONG_TRACK_LIMIT_REL * track_s)


def _duration(c: Candidate, t: TrackFacts, a: Assessment) -> None:
    track_s = t.query.duration_s
    if c.duration is None or track_s is None:
        a.points += DURATION_WEIGHT * DURATION_UNKNOWN_SCORE
        a.notes.append("duration unknown")
        return
    diff = c.duration - track_s
    full, limit = duration_limits(track_s, c.kind)
    if abs(diff) <= full:
        a.points += DURATION_WEIGHT
        a.exact_length = True
        a.notes.append(f"duration within {max(1, math.ceil(abs(diff)))} s")
    elif abs(diff) > limit:
        a.gates.append(f"duration {diff:+.0f} s")
    else:
        a.points += DURATION_WEIGHT * (1 - (abs(diff) - full) / (limit - full))
        a.notes.append(f"duration {diff:+.0f} s")


def _candidate_tags(c: Candidate, t: TrackFacts, parsed: ParsedTitle, own: bool) -> frozenset[str]:
    rest = strip_artists(remove_run(parsed.tokens, t.title.core), t.artists)
    raw_rest = parsed.raw.replace(t.title.core_raw, " ", 1) if t.title.core_raw else parsed.raw
    tags = set(version_tags(rest, raw_rest))
    if own:
        tags.discard("cover")  # the artist's own channel: their recording of someone's song
    else:
        tags |= version_tags(tokenize(c.channel)) & CHANNEL_TAGS
    return frozenset(tags)


def _versions(tags: frozenset[str], t: TrackFacts, a: Assessment) -> None:
    for tag in sorted(SYMMETRIC_TAGS | ADDED_ONLY_TAGS):
        if tag in tags and tag not in t.tags:
            a.gates.append(TAG_LABELS.get(tag, f"{tag} version"))
        elif tag in t.tags and tag not in tags and tag in SYMMETRIC_TAGS:
            a.gates.append(f"track is {TAG_LABELS.get(tag, tag)}, this is not")


def _named_versions(parsed: ParsedTitle, t: TrackFacts, a: Assessment) -> None:
    """ "Band Ver.", "TV Size", "Club Mix" anywhere in a title: the same on both sides or gated."""
    if any(gate.startswith(("different version", "track is '")) for gate in a.gates):
        return  # the qualifier rule has judged this version already
    theirs = named_versions(parsed.tokens, t.artists)
    for name in sorted(theirs - t.named_versions):
        a.gates.append(f"different version: the upload is '{name}', the track is not")
    for name in sorted(t.named_versions - theirs):
        a.gates.append(f"different version: the track is '{name}', the upload is not")


def _title(parsed: ParsedTitle, t: TrackFacts, a: Assessment) -> None:
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
        a.exact_title = True
        a.notes.append("title match" if sim == 1 else "title close")


def _qualifiers(parsed: ParsedTitle, t: TrackFacts, a: Assessment) -> bool:
    """Version qualifiers must agree both ways; other qualifier words only cost points.

    True when the qualifiers agree completely.
    """
    for q in parsed.qualifiers:
        if qualifier_version(q, t.artists) - t.words:
            a.gates.append(f"different version ({q.raw.strip()})")
    for raw, words in t.versions:
        if not words <= set(parsed.tokens):
            a.gates.append(f"track is '{raw}', this is not")
    own_words = {w for q in parsed.qualifiers if not q.translation for w in q.tokens}
    missing = t.qualifier_words - set(parsed.tokens)
    extra = content_words(own_words - VERSION_MARKERS - NEUTRAL_VERSION_WORDS, t.artists)
    extra -= t.words | set(t.album)  # "Song | Film | Artist": the release's name is no version
    if missing:
        a.points -= QUALIFIER_MISSING_PENALTY * len(missing) / len(t.qualifier_words)
        a.notes.append(f"title lacks '{' '.join(sorted(missing))}'")
    if extra:
        a.points -= min(QUALIFIER_EXTRA_PENALTY_MAX, QUALIFIER_EXTRA_PENALTY * len(extra))
        a.notes.append(f"title adds '{' '.join(sorted(extra))}'")
    return not missing and not extra


def _credits(c: Candidate) -> list[str]:
    """The names the upload credits; a video's first "artist" is only its uploader."""
    names = list(c.artists or ())
    if c.kind == "video" and names and tokenize(names[0]) == tokenize(c.channel):
        names = names[1:]
    return names


def _featured(parsed: ParsedTitle, t: TrackFacts) -> list[str]:
    """Names in the title's "feat." credits that are not the track's, one per name."""
    names: list[str] = []
    for featured in parsed.featured:
        name: list[str] = []
        for word in (*strip_artists(featured, t.artists), "and"):
            if word not in CONNECTORS:
                name.append(word)
            elif name:
                names.append(" ".join(name))
                name = []
    return names


def _artists(c: Candidate, t: TrackFacts, parsed: ParsedTitle, a: Assessment) -> None:
    """Credits must name the track's artists, all of them and no one else.

    A Topic channel's name is inferred from YouTube Music's first artist, so it is evidence,
    never a gate on its own: the credits, the title and the channel are compared, each part of
    a joined credit and in any script.
    """
    if not t.artists:
        a.points += ARTIST_WEIGHT
        a.exact_credits = True
        return
    credits = check_credits(_credits(c), t.artists)
    found = set(credits.found)
    found |= {i for i, artist in enumerate(t.artists) if artist.find(parsed.tokens)}
    found |= {i for i, artist in enumerate(t.artists) if _channel_names(c.channel, artist)}
    # Spotify names some guests only in its title ("Song (feat. X)"): they are not extras.
    extras = [name for name in credits.extras if not _known(name, t.guests)]
    featured = [name for name in _featured(parsed, t) if not _known(name, [*extras, *t.guests])]
    if parsed.credits and not any(
        artist.find(credit.tokens) for credit in parsed.credits for artist in t.artists
    ):
        a.gates.append(f"credited to {parsed.credits[0].raw}")
        return
    if not found:
        if credits.unreadable and a.exact_length:
            # Another script we cannot compare: unknown, so only the exact length may carry it.
            a.points += ARTIST_WEIGHT * OTHER_SCRIPT_ARTIST_SHARE
            a.notes.append("artist named in another script")
            return
        others = extras + featured
        a.gates.append(f"different artist ({others[0]})" if others else "artist not found")
        return
    _credit_differences(c, t, found, (extras, featured), a)


def _credit_differences(
    c: Candidate,
    t: TrackFacts,
    found: set[int],
    added: tuple[list[str], list[str]],
    a: Assessment,
) -> None:
    extras, featured = added
    if extras:
        a.gates.append(f"different credits: the upload adds an artist ({extras[0]})")
    elif featured:
        a.gates.append(f"different credits: the upload adds a featured artist ({featured[0]})")
    missing = [t.artists[i].name for i in range(len(t.artists)) if i not in found]
    if missing and c.kind == "song" and c.artists:
        # Only a song's credit list can show an artist is absent; videos name their uploader.
        a.gates.append(f"different credits: the upload lacks {missing[0]}")
    others = len(t.artists) - 1
    share = 1.0 if 0 in found else 0.0
    if others:
        share = 0.6 * share + 0.4 * len(found - {0}) / others
    a.points += ARTIST_WEIGHT * share
    # A lyric title often names only the main artist; what it must not do is name others.
    a.exact_credits = 0 in found and not extras and not featured
    a.notes.append("artist match" if share == 1 else f"{len(found)} of {len(t.artists)} artists")


def _known(name: str, names: Sequence[str]) -> bool:
    """True when `name` is one of `names`, or named inside one ("X" in "X and Y")."""
    key = ArtistKey.of(name)
    return any(key.same_as(other) or key.find(tokenize(other)) for other in names)


def _channel_names(channel: str, artist: ArtistKey) -> bool:
    owner = topic_owner(channel)
    if owner is not None and owner.casefold() not in GENERIC_TOPIC_OWNERS:
        return bool(check_credits([owner], [artist]).found)
    return channel_is_artist(channel, artist) or channel_mentions(channel, artist)


def is_own(c: Candidate, t: TrackFacts) -> bool:
    """True when a track artist uploaded it: their Topic channel or their own channel."""
    owner = topic_owner(c.channel)
    if owner is not None:
        return bool(check_credits([owner], t.artists).found)
    return any(channel_is_artist(c.channel, artist) for artist in t.artists)


def _source(c: Candidate, t: TrackFacts, parsed: ParsedTitle, a: Assessment) -> None:
    own = is_own(c, t)
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
        # Lyric and fan channels re-encode, trim or pitch-shift: only ever a last resort.
        a.unofficial = True
        a.notes.insert(0, f"unofficial upload ({c.channel})")
        return
    a.points += SOURCE_WEIGHT * value
    a.notes.insert(0, label)


def _explicit(c: Candidate, t: TrackFacts, tags: frozenset[str], a: Assessment) -> None:
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


def _album_and_views(c: Candidate, t: TrackFacts, a: Assessment) -> None:
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


def assess(c: Candidate, t: TrackFacts) -> Assessment:
    """Every signal of one candidate against the track."""
    title = without_aliases(c.title, t.artists)
    parsed = parse_candidate_title(title, t.title, t.artists, t.non_latin)
    tags = _candidate_tags(c, t, parsed, own=is_own(c, t))
    a = Assessment()
    _versions(tags, t, a)
    _duration(c, t, a)
    _artists(c, t, parsed, a)
    _title(parsed, t, a)
    _named_versions(parsed, t, a)
    _source(c, t, parsed, a)
    _explicit(c, t, tags, a)
    _album_and_views(c, t, a)
    return a
