"""Text normalisation for the matcher: fold, tokenise, split titles, find artists and versions.

Everything here is pure string work on one title at a time; match.py weighs what it finds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from anyascii import anyascii

Tokens = tuple[str, ...]

# Dropped without leaving a gap, so "t.A.T.u." folds to "tatu" and "Can't" to "cant"
# (anyascii has already turned curly apostrophes into straight ones).
_JOINING_PUNCT = str.maketrans("", "", "'`.")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Emoji and other pictographs carry no meaning and anyascii would spell them out (":heart:").
_DROPPED_CATEGORIES = frozenset({"So", "Cf", "Cs", "Co"})
# Spellings of one idea, so "2011 Remaster" meets "Remastered 2011" and "Pts." meets "Part".
_CANONICAL = {
    "remastered": "remaster",
    "remasterizado": "remaster",
    "remasterise": "remaster",
    "remasterisee": "remaster",
    "pt": "part",
    "pts": "part",
    "parts": "part",
    "vol": "volume",
    "opus": "op",
    "ft": "feat",
    "featuring": "feat",
}

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
# Japanese quotes hold the song name itself ("YOASOBI「夜に駆ける」 MV"), so they split like " - ".
_CJK_QUOTES = re.compile(
    "[\N{LEFT CORNER BRACKET}\N{RIGHT CORNER BRACKET}"
    "\N{LEFT WHITE CORNER BRACKET}\N{RIGHT WHITE CORNER BRACKET}]"
)
_DASHES = "-\N{EN DASH}\N{EM DASH}"
_SEPARATORS = re.compile(rf"\s+(?:[{_DASHES}~_|/]|//)\s+|\s*\|\s*")
# Spotify writes qualifiers after a spaced hyphen: "Levels - Radio Edit".
_TRACK_SEPARATOR = re.compile(rf"\s+[{_DASHES}]\s+")
_INLINE_FEAT = re.compile(r"\s(?:feat|ft|featuring)\.?\s+(.+)$", re.IGNORECASE)
_BRACKET_FEAT = re.compile(r"^\s*(?:feat|ft|featuring|with|w/)\.?\s+(.+)$", re.IGNORECASE)
_BRACKET_CREDIT = re.compile(r"^\s*(?:prod|produced|dir|directed)\b", re.IGNORECASE)

_LYRIC_WORDS = {
    "lyric", "lyrics", "letra", "letras", "paroles", "testo", "songtext", "translation", "sub",
    "subs", "subtitles", "subtitulado", "legendado", "romanized", "romaji",
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
# Two words this close are one word spelt two ways (transliteration, a typo).
SPELLING_SLIP_RATIO = 0.75
CONNECTORS = frozenset({"and", "x", "with", "feat", "vs", "y", "e", "et", "und"})

# Version words: (tag, pattern over folded tokens). A tag names what makes a recording different.
_TAG_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (tag, re.compile(pattern))
    for tag, pattern in (
        ("live", r"\b(live|unplugged|concert|sessions?|first take|livestream|(en|ao) vivo)\b"),
        ("acoustic", r"\b(acoustic|unplugged|acustic[oa])\b"),
        ("remix", r"\b(remix(es|ed)?|rmx|rework(ed)?|bootleg|vip mix|dub mix|club mix)\b"),
        ("cover", r"\b(covers?|covered|tribute|originally performed|in the style of)\b"),
        ("karaoke", r"\b(karaoke|sing ?along|backing track|originally performed|in the style)\b"),
        ("instrumental", r"\b(instrumentals?|inst|off vocal|no vocals|without vocals|minus one)\b"),
        ("acapella", r"\b(a ?capp?ella|acappella|vocals? only|isolated vocals)\b"),
        ("sped up", r"\b(sped|speed ?up)\b"),
        ("slowed", r"\bslowed\b"),
        ("nightcore", r"\b(nightcore|daycore)\b"),
        ("8D audio", r"\b(8d|16d|3d audio)\b"),
        ("reverb", r"\breverb\b"),
        ("bass-boosted", r"\bbass ?boost(ed)?\b"),
        ("demo", r"\bdemo\b"),
        ("outtake", r"\b(take \d+|outtakes?|rehearsal|alternate|early version|rough mix)\b"),
        ("mashup", r"\b(mash ?up|medley)\b"),
        ("loop", r"\b(\d+ hours?|loop(ed)?)\b"),
        ("re-recording", r"\b(re ?recorded|re ?recording|remake|new version)\b"),
        ("mono", r"\bmono\b"),
        ("extended", r"\b(extended|12 inch|long version)\b"),
        ("edit", r"\b(edit|re ?edit(ed)?|single version|radio version|short version)\b"),
        ("clean", r"\b(clean|censored|(?<!re )edited)\b"),
        ("explicit", r"\b(explicit|uncensored|dirty)\b"),
    )
)  # fmt: skip
# Version words in scripts that folding would turn into meaningless syllables.
_RAW_TAG_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cover", re.compile(r"歌ってみた|弾いてみた|カバー|翻唱|커버")),
    ("live", re.compile(r"ライブ|라이브|現場")),
    ("karaoke", re.compile(r"カラオケ|노래방")),
    ("instrumental", re.compile(r"インスト|伴奏|반주")),
    ("remix", re.compile(r"リミックス|리믹스")),
)
# Channel names alone reveal these ("Sped Up Nation", "KaraFun Karaoke", "Acoustic Covers").
CHANNEL_TAGS = frozenset({"karaoke", "nightcore", "sped up", "slowed", "8D audio", "cover"})


def fold(text: str) -> str:
    """NFKC, drop pictographs, transliterate to ASCII, casefold."""
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _DROPPED_CATEGORIES and not "\ufe00" <= ch <= "\ufe0f"
    )
    return anyascii(kept).casefold()


def tokenize(text: str) -> Tokens:
    """Folded words: accents, case, punctuation and script no longer matter."""
    folded = fold(text).replace("&", " and ").translate(_JOINING_PUNCT)
    return tuple(_CANONICAL.get(word, word) for word in _NON_WORD.split(folded) if word)


def title_tokens(text: str) -> Tokens:
    """Like tokenize, but a title made only of punctuation ("!!!!!!!") keeps itself as one token."""
    words = tokenize(text)
    if words:
        return words
    compact = "".join(fold(text).split())
    return (compact,) if compact else ()


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _word_overlap(a: Tokens, b: Tokens) -> float:
    """F1 of words matched one to one, spelling slips allowed ("dogonyat" ~ "dogoniat")."""
    unmatched = list(b)
    hits = 0
    for word in a:
        best = max(unmatched, key=lambda other: _ratio(word, other), default=None)
        if best is not None and _ratio(word, best) >= SPELLING_SLIP_RATIO:
            unmatched.remove(best)
            hits += 1
    return 2 * hits / (len(a) + len(b))


def similarity(a: Tokens, b: Tokens) -> float:
    """0..1 closeness of two song names: spelling (spaced or not) and whole words in equal parts.

    Whole words count because an extra word makes another song ("Perfect Duet" is not "Perfect")
    while a spelling slip does not.
    """
    if not a or not b:
        return 0.0
    spelling = max(_ratio(" ".join(a), " ".join(b)), _ratio("".join(a), "".join(b)))
    words = 1.0 if "".join(a) == "".join(b) else _word_overlap(a, b)
    return (spelling + words) / 2


def is_non_latin(text: str) -> bool:
    """True when most letters are outside the Latin script (Hangul, kana, Cyrillic...)."""
    letters = [ch for ch in text if ch.isalpha()]
    foreign = sum(1 for ch in letters if ord(ch) > 0x24F)
    return bool(letters) and foreign * 2 > len(letters)


def find_run(tokens: Tokens, run: Tokens) -> int:
    """Index of the first occurrence of `run` inside `tokens`, or -1."""
    width = len(run)
    if not width:
        return -1
    for index in range(len(tokens) - width + 1):
        if tokens[index : index + width] == run:
            return index
    return -1


def remove_run(tokens: Tokens, run: Tokens) -> Tokens:
    """Tokens without the first occurrence of `run`; without each of its words if it is absent."""
    index = find_run(tokens, run)
    if index >= 0:
        return tokens[:index] + tokens[index + len(run) :]
    remaining = list(tokens)
    for word in run:
        if word in remaining:
            remaining.remove(word)
    return tuple(remaining)


def version_tags(tokens: Tokens, raw: str = "") -> frozenset[str]:
    """Version words present in folded tokens (and, for CJK words, the raw text)."""
    text = " ".join(tokens)
    found = {tag for tag, pattern in _TAG_PATTERNS if pattern.search(text)}
    found.update(tag for tag, pattern in _RAW_TAG_PATTERNS if pattern.search(raw))
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class ArtistKey:
    """One credited artist in the forms titles and channels spell it."""

    name: str
    tokens: Tokens

    @classmethod
    def of(cls, name: str) -> ArtistKey:
        return cls(name=name, tokens=tokenize(name))

    @property
    def variants(self) -> tuple[Tokens, ...]:
        """Token runs that count as this artist: as given, and without a leading "The"."""
        if len(self.tokens) > 1 and self.tokens[0] == "the":
            return (self.tokens, self.tokens[1:])
        return (self.tokens,)

    @property
    def compacts(self) -> frozenset[str]:
        """Spaceless spellings, for "ImagineDragons", "KendrickLamarVEVO", "SimonGarfunkelVEVO"."""
        spellings = {"".join(variant) for variant in self.variants}
        spellings.update("".join(w for w in variant if w != "and") for variant in self.variants)
        return frozenset(spellings)

    def same_as(self, name: str) -> bool:
        """True when `name` names this artist."""
        return "".join(tokenize(name)) in self.compacts

    def find(self, tokens: Tokens) -> tuple[int, int] | None:
        """(start, width) of this artist inside `tokens`, or None."""
        for variant in self.variants:
            index = find_run(tokens, variant)
            if index >= 0:
                return index, len(variant)
        for index, word in enumerate(tokens):
            if len(word) > 3 and word in self.compacts:
                return index, 1
        return None


def strip_artists(tokens: Tokens, artists: Sequence[ArtistKey], keep: Tokens = ()) -> Tokens:
    """Tokens with every mention of the artists removed, except inside the run `keep`."""
    result = tokens
    for artist in artists:
        if any(find_run(keep, variant) >= 0 for variant in artist.variants):
            continue
        while (hit := artist.find(result)) is not None:
            start, width = hit
            result = result[:start] + result[start + width :]
    return result


def only_artists(tokens: Tokens, artists: Sequence[ArtistKey]) -> bool:
    """True when `tokens` names track artists and nothing else ("Shawn Mendes, Camila Cabello")."""
    rest = strip_artists(tokens, artists)
    return len(rest) < len(tokens) and all(word in CONNECTORS for word in rest)


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
    qualifiers. When a title mixes scripts, a bracket may hold the song name itself ("Through
    the Night (밤편지)") and parts in the other script than the track's are translations.
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


_TOPIC_SUFFIX = " - topic"
# Words a channel adds to an artist's name: "EminemVEVO", "Queen Official", "IU Official".
_CHANNEL_AFFIXES = ("vevo", "official", "oficial", "officiel", "music", "tv", "channel")
_CHANNEL_PARTS = re.compile(r"[/,&|()\[\]]")
_PART_LABELS = frozenset({"part", "volume", "no", "op", "chapter", "act", "bwv", "kv", "hob"})
_ROMAN = re.compile(r"^[ivxlc]+$")


def topic_owner(channel: str) -> str | None:
    """The artist of an auto-generated "Artist - Topic" channel, or None."""
    if channel.casefold().endswith(_TOPIC_SUFFIX):
        return channel[: -len(_TOPIC_SUFFIX)].strip()
    return None


def _strip_affixes(compact: str) -> str:
    changed = True
    while changed:
        changed = False
        for affix in _CHANNEL_AFFIXES:
            if compact.endswith(affix) and len(compact) > len(affix):
                compact, changed = compact[: -len(affix)], True
            elif compact.startswith(affix) and len(compact) > len(affix):
                compact, changed = compact[len(affix) :], True
    return compact


def channel_is_artist(channel: str, artist: ArtistKey) -> bool:
    """True when the channel is the artist's own ("KendrickLamarVEVO", "Ayase / YOASOBI")."""
    channel = unicodedata.normalize("NFKC", channel)
    for part in [channel, *_CHANNEL_PARTS.split(channel)]:
        compact = "".join(tokenize(part))
        if compact and (compact in artist.compacts or _strip_affixes(compact) in artist.compacts):
            return True
    return False


def channel_mentions(channel: str, artist: ArtistKey) -> bool:
    """True when a fan or archive channel carries the artist's name ("Pink Floyd Archive")."""
    compact = "".join(tokenize(channel))
    return any(len(name) > 3 and name in compact for name in artist.compacts)


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
