"""A title taken apart: the song name, its qualifiers, credits and upload annotations."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from downloads.pipeline.match.artists import ArtistKey, only_artists, strip_artists
from downloads.pipeline.match.normalize import Tokens, similarity, title_tokens, tokenize
from downloads.pipeline.match.transliterate import is_non_latin

# Fullwidth brackets need no entry: titles are NFKC-normalised before they are split.
_OPENERS = {
    "(": ")",
    "[": "]",
    "{": "}",
    "\N{LEFT BLACK LENTICULAR BRACKET}": "\N{RIGHT BLACK LENTICULAR BRACKET}",
    "\N{LEFT TORTOISE SHELL BRACKET}": "\N{RIGHT TORTOISE SHELL BRACKET}",
    "\N{LEFT ANGLE BRACKET}": "\N{RIGHT ANGLE BRACKET}",
    "\N{LEFT DOUBLE ANGLE BRACKET}": "\N{RIGHT DOUBLE ANGLE BRACKET}",
}
# Japanese quotes hold the song name itself ("Artist「Song」 MV"), so they split like " - ".
_CJK_QUOTES = re.compile(
    "[\N{LEFT CORNER BRACKET}\N{RIGHT CORNER BRACKET}"
    "\N{LEFT WHITE CORNER BRACKET}\N{RIGHT WHITE CORNER BRACKET}]"
)
_DASHES = "-\N{EN DASH}\N{EM DASH}"
_SEPARATORS = re.compile(rf"\s+(?:[{_DASHES}~_|/]|//)\s+|\s*\|\s*")
# Spotify writes qualifiers after a spaced hyphen: "Song - Radio Edit".
_TRACK_SEPARATOR = re.compile(rf"\s+[{_DASHES}]\s+")
_INLINE_FEAT = re.compile(r"\s(?:feat|ft|featuring)\.?\s+(.+)$", re.IGNORECASE)
# YouTube Music writes "with" in the interface language: "(mit X & Y)", "(avec X)".
_BRACKET_FEAT = re.compile(r"^\s*(?:feat|ft|featuring|with|w/|mit|avec)\.?\s+(.+)$", re.IGNORECASE)
_BRACKET_CREDIT = re.compile(r"^\s*(?:prod|produced|dir|directed)\b", re.IGNORECASE)

# "kashi", "kashitsuki", "geci" and "gasa" are 歌詞 (read in Japanese and in Chinese) and 가사.
_LYRIC_WORDS = {
    "lyric", "lyrics", "letra", "letras", "paroles", "testo", "songtext", "translation", "sub",
    "subs", "subtitles", "subtitulado", "legendado", "romanized", "romaji", "traduccion",
    "traducao", "traduction", "lirik", "sozleri", "tekst", "perevod", "kashi", "kashitsuki",
    "geci", "gasa",
}  # fmt: skip
# Any of these in a bracket marks the whole bracket as a lyric-video annotation.
_LYRIC_MARKERS = frozenset(_LYRIC_WORDS)
# Noise words that may be trimmed from the end of a title segment ("Title Official Video").
_EDGE_NOISE = frozenset({
    "official", "oficial", "video", "videoclip", "clip", "music", "audio", "lyric", "lyrics",
    "hd", "hq", "4k", "mv", "visualizer", "letra",
})  # fmt: skip
# Words that describe the upload rather than the recording ("Official Video", "[HD]").
NOISE_TOKENS = frozenset({
    *_LYRIC_WORDS, *_EDGE_NOISE, "officiel", "ufficiale", "8k", "uhd", "1080p", "720p", "60fps",
    "m", "v", "visualiser", "full", "song", "new", "exclusive", "premiere", "movie", "high",
    "quality", "color", "coded", "han", "rom", "eng", "kor", "jpn", "explicit", "clean", "only",
    "by", "with", "and", "the", "vertical", "animated",
})  # fmt: skip
_PART_LABELS = frozenset({"part", "volume", "no", "op", "chapter", "act", "bwv", "kv", "hob"})
_ROMAN = re.compile(r"^[ivxlc]+$")


@dataclass(frozen=True, slots=True)
class TitlePart:
    """One bracket or separated segment of a title, as written and as tokens."""

    raw: str
    tokens: Tokens
    bracketed: bool = False
    translation: bool = False  # in the other script than the track's title: a translation


@dataclass(frozen=True, slots=True)
class ParsedTitle:
    """A title taken apart: the song name, its qualifiers, credits and upload annotations."""

    raw: str  # the title, NFKC-normalised
    core: Tokens
    core_raw: str
    qualifiers: tuple[TitlePart, ...]
    credits: tuple[TitlePart, ...]  # segments before the song name: "Artist - Song"
    featured: tuple[Tokens, ...]
    flags: frozenset[str]
    tokens: Tokens


def split_brackets(text: str) -> tuple[str, list[str]]:
    """Text outside top-level brackets (brackets become spaces) and each bracket's content."""
    outside: list[str] = []
    inside: list[str] = []
    current: list[str] = []
    closers: list[str] = []
    for ch in text:
        if ch in _OPENERS:
            if closers:
                current.append(ch)
            else:
                outside.append(" ")
                current = []
            closers.append(_OPENERS[ch])
        elif closers and ch == closers[-1]:
            closers.pop()
            if closers:
                current.append(ch)
            else:
                inside.append("".join(current))
        elif closers:
            current.append(ch)
        else:
            outside.append(ch)
    if closers:  # unbalanced: keep what followed the opener as plain text
        outside.append(" " + "".join(current))
    return "".join(outside), inside


def noise_flags(tokens: Iterable[str]) -> frozenset[str]:
    """What an annotation says about the upload: "audio", "video", "lyrics", "official"."""
    words = set(tokens)
    flags = set()
    if words & {"official", "oficial", "officiel", "ufficiale"}:
        flags.add("official")
    if words & _LYRIC_MARKERS:
        flags.add("lyrics")
    if words & {"video", "videoclip", "clip", "mv", "movie"}:
        flags.add("video")
    elif "audio" in words:
        flags.add("audio")
    return frozenset(flags)


def _is_noise(tokens: Tokens) -> bool:
    return bool(tokens) and (
        bool(set(tokens) & _LYRIC_MARKERS) or all(word in NOISE_TOKENS for word in tokens)
    )


def _split_inline_feat(raw: str) -> tuple[str, str | None]:
    found = _INLINE_FEAT.search(raw)
    if found is None:
        return raw, None
    return raw[: found.start()], found.group(1)


def _trim_edge_noise(tokens: Tokens, protected: frozenset[str]) -> tuple[Tokens, Tokens]:
    """Drop noise words from the end of a segment; returns (kept, dropped)."""
    end = len(tokens)
    while end > 0 and tokens[end - 1] in _EDGE_NOISE and tokens[end - 1] not in protected:
        end -= 1
    return tokens[:end], tokens[end:]


class _Collector:
    """Accumulates the parts of one title while its brackets and segments are classified."""

    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.featured: list[Tokens] = []

    def bracket(self, raw: str) -> Tokens | None:
        """Tokens of a qualifying bracket, or None when it was noise or a featured credit."""
        tokens = title_tokens(raw)
        if not tokens or _BRACKET_CREDIT.match(raw):
            return None
        if _is_noise(tokens):
            self.flags |= noise_flags(tokens)
            return None
        feat = _BRACKET_FEAT.match(raw)
        if feat:
            self.featured.append(tokenize(feat.group(1)))
            return None
        return tokens

    def segment(self, raw: str, protected: frozenset[str]) -> Tokens | None:
        """Tokens of a title segment with inline "feat." and trailing noise removed."""
        raw, feat = _split_inline_feat(raw)
        if feat:
            self.featured.append(tokenize(feat))
        tokens, dropped = _trim_edge_noise(title_tokens(raw), protected)
        self.flags |= noise_flags(dropped)
        if _is_noise(tokens):
            self.flags |= noise_flags(tokens)
            return None
        return tokens or None


def parse_track_title(name: str) -> ParsedTitle:
    """Split a Spotify title: "Song (feat. X) - Remix" has core "song" and qualifier "remix"."""
    collector = _Collector()
    name = unicodedata.normalize("NFKC", name)
    outside, brackets = split_brackets(name)
    segments = _TRACK_SEPARATOR.split(outside)
    raw_core, feat = _split_inline_feat(segments[0])
    if feat:
        collector.featured.append(tokenize(feat))
    qualifiers = [
        TitlePart(raw, tokens, bracketed=True)
        for raw in brackets
        if (tokens := collector.bracket(raw)) is not None
    ]
    qualifiers += [TitlePart(raw, title_tokens(raw)) for raw in segments[1:] if raw.strip()]
    return ParsedTitle(
        raw=name,
        core=title_tokens(raw_core) or title_tokens(name),
        core_raw=raw_core.strip(),
        qualifiers=tuple(qualifiers),
        credits=(),
        featured=tuple(collector.featured),
        flags=frozenset(collector.flags),
        tokens=title_tokens(name),
    )


def _candidate_parts(
    title: str, track: ParsedTitle, artists: Sequence[ArtistKey], collector: _Collector
) -> list[TitlePart]:
    """Segments, then brackets, without noise, featured credits and bare track-artist names."""
    outside, brackets = split_brackets(_CJK_QUOTES.sub(" - ", title))
    parts: list[TitlePart] = []
    for raw in _SEPARATORS.split(outside):
        tokens = collector.segment(raw, frozenset(track.core)) if raw.strip() else None
        if tokens is not None and (tokens == track.core or not only_artists(tokens, artists)):
            parts.append(TitlePart(raw.strip(), tokens))
    for raw in brackets:
        tokens = collector.bracket(raw)
        if tokens is not None and not only_artists(tokens, artists):
            parts.append(TitlePart(raw.strip(), tokens, bracketed=True))
    return parts


def parse_candidate_title(
    title: str, track: ParsedTitle, artists: Sequence[ArtistKey], non_latin: bool
) -> ParsedTitle:
    """Split a YouTube title around the segment that best matches the track's song name.

    Segments before it are credits ("Artist - Song"), segments after it and brackets are
    qualifiers. When a title mixes scripts, a bracket may hold the song name itself ("English
    Name (<Hangul name>)") and parts in the other script than the track's are translations.
    """
    collector = _Collector()
    title = unicodedata.normalize("NFKC", title)
    parts = [
        TitlePart(p.raw, p.tokens, p.bracketed, translation=is_non_latin(p.raw) != non_latin)
        for p in _candidate_parts(title, track, artists, collector)
    ]
    mixed = any(part.translation for part in parts)
    choosable = [i for i, part in enumerate(parts) if mixed or not part.bracketed]
    core_at = max(choosable, key=lambda i: similarity(parts[i].tokens, track.core), default=-1)
    core = parts[core_at] if core_at >= 0 else TitlePart("", ())
    # Segments before a bracketed song name are a translation, not an "Artist - " credit.
    credit_end = core_at if not core.bracketed else -1
    return ParsedTitle(
        raw=title,
        core=strip_artists(core.tokens, artists, keep=track.core) or core.tokens,
        core_raw=core.raw,
        qualifiers=tuple(
            part
            for i, part in enumerate(parts)
            if i != core_at and (part.bracketed or i > credit_end)
        ),
        credits=tuple(parts[:credit_end] if credit_end > 0 else ()),
        featured=tuple(collector.featured),
        flags=frozenset(collector.flags),
        tokens=title_tokens(title),
    )


def part_numbers(tokens: Tokens) -> dict[str, str]:
    """Numbered parts named in a title: "Pts. 1-5" gives {"part": "1 5"}, "Op. 67" {"op": "67"}."""
    found: dict[str, str] = {}
    for index, word in enumerate(tokens):
        if word not in _PART_LABELS:
            continue
        numbers: list[str] = []
        for following in tokens[index + 1 :]:
            if not (following.isdigit() or _ROMAN.match(following)):
                break
            numbers.append(following)
        if numbers:
            found.setdefault(word, " ".join(numbers))
    return found
