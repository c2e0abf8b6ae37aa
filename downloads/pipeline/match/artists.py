"""Who a title, a credit or a channel names: the track's artists in every spelling."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from downloads.pipeline.match.normalize import Tokens, find_run, tokenize, word_overlap
from downloads.pipeline.match.transliterate import is_non_latin

CONNECTORS = frozenset({"and", "x", "with", "feat", "vs", "y", "e", "et", "und"})
# Auto-generated channels that hold many artists' releases.
GENERIC_TOPIC_OWNERS = frozenset({"various artists", "release"})
_TOPIC_SUFFIX = " - topic"
# Words a channel adds to an artist's name: "NameVEVO", "Name Official", "Name Music".
_CHANNEL_AFFIXES = ("vevo", "official", "oficial", "officiel", "music", "tv", "channel")
_CHANNEL_PARTS = re.compile(r"[/,&|()\[\]]")
# How one credit joins several names: "A & B", "A und B", "A y B", "<native name> - <Latin name>".
_JOIN_WORDS = r"and|und|y|e|et|en|og|och|i|ve|és|и|x|with|feat\.?|ft\.?|featuring|vs\.?"
_JOIN_MARKS = r"[,&/+、・\u00d7]"  # \u00d7, the multiplication sign, joins Japanese credits
_CREDIT_JOINS = re.compile(
    rf"\s*(?:{_JOIN_MARKS}|\s[-|]\s|\((?=.*\))|\)|\s(?:{_JOIN_WORDS})\s)\s*", re.IGNORECASE
)
_JOIN_ONLY = re.compile(rf"(?:{_JOIN_WORDS}|{_JOIN_MARKS}|-)+", re.IGNORECASE)
# A join word left at the edge of a part once a whole name was taken out ("und B").
_EDGE_JOIN = re.compile(rf"^(?:(?:{_JOIN_WORDS})\s+)+|(?:\s+(?:{_JOIN_WORDS}))+$", re.IGNORECASE)
# Names this close in every word are one name transliterated two ways (Cyrillic "Ая" ~ Latin "Aya").
NAME_SLIP_OVERLAP = 1.0


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
        """Spaceless spellings, for "FirstLast", "FirstLastVEVO", "AandBVEVO"."""
        spellings = {"".join(variant) for variant in self.variants}
        spellings.update("".join(w for w in variant if w != "and") for variant in self.variants)
        return frozenset(spellings)

    def same_as(self, name: str) -> bool:
        """True when `name` names this artist: same letters, or every word spelt a little apart
        as transliterations do (given and family name in either order, spelt a little apart)."""
        tokens = tokenize(name)
        if tokens[:1] == ("the",) and len(tokens) > 1:
            tokens = tokens[1:]  # "The Name" on the other side is still this artist
        if "".join(tokens) in self.compacts:
            return True
        return any(
            len(variant) > 1 and word_overlap(variant, tokens) >= NAME_SLIP_OVERLAP
            for variant in self.variants
        )

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
    """True when the channel is the artist's own ("NameVEVO", "Member / Band")."""
    channel = unicodedata.normalize("NFKC", channel)
    for part in [channel, *_CHANNEL_PARTS.split(channel)]:
        compact = "".join(tokenize(part))
        if compact and (compact in artist.compacts or _strip_affixes(compact) in artist.compacts):
            return True
    return False


def channel_mentions(channel: str, artist: ArtistKey) -> bool:
    """True when a fan or archive channel carries the artist's name ("Name Archive")."""
    compact = "".join(tokenize(channel))
    return any(len(name) > 3 and name in compact for name in artist.compacts)


def credit_parts(credit: str) -> tuple[str, ...]:
    """The names one credit joins ("A & B", "A und B", "<native> - <Latin>")."""
    parts = (_EDGE_JOIN.sub("", part.strip()) for part in _CREDIT_JOINS.split(credit) if part)
    return tuple(part for part in parts if part and not _JOIN_ONLY.fullmatch(part))


@dataclass(frozen=True, slots=True)
class CreditCheck:
    """Which track artists a list of credits names, and the names it adds."""

    found: frozenset[int]
    extras: tuple[str, ...]
    unreadable: bool  # some names are in another script than the track's: unknown, not other


def check_credits(credits: Sequence[str], artists: Sequence[ArtistKey]) -> CreditCheck:
    """Compare credits with the track's artists, whole names first, then each part of a credit.

    A part in another script than the track's names, beside a part that matched, is the same
    artist's other spelling; alone, it is unknown rather than another artist.
    """
    found: set[int] = set()
    extras: list[str] = []
    unreadable = False
    latin_track = not any(is_non_latin(a.name) for a in artists)
    for credit in credits:
        whole = _index(credit, artists)
        if whole is not None:
            found.add(whole)
            continue
        # Names holding a joining word themselves ("A + the B") are taken out whole.
        rest = credit
        for index, artist in enumerate(artists):
            named = re.compile(rf"(?<!\w){re.escape(artist.name)}(?!\w)", re.IGNORECASE)
            if named.search(rest):
                found.add(index)
                rest = named.sub(",", rest)
        parts = [part for part in credit_parts(rest) if tokenize(part)]
        hits = {i for part in parts if (i := _index(part, artists)) is not None}
        found |= hits
        for part in parts:
            if _index(part, artists) is not None:
                continue
            if is_non_latin(part) != latin_track:
                extras.append(part)  # the track's own script: a name we can read, not theirs
            else:
                unreadable = unreadable or not (hits or rest != credit)
    return CreditCheck(frozenset(found), tuple(extras), unreadable)


def _index(name: str, artists: Sequence[ArtistKey]) -> int | None:
    """The artist `name` names; a credit in two scripts ("<Han> <Latin>") names the one inside."""
    letters = [ch for ch in name if ch.isalpha()]
    mixed = any(ch.isascii() for ch in letters) and any(ord(ch) > 0x24F for ch in letters)
    tokens = tokenize(name) if mixed else ()
    for i, artist in enumerate(artists):
        if artist.same_as(name) or (tokens and artist.find(tokens) is not None):
            return i
    return None


def without_aliases(title: str, artists: Sequence[ArtistKey]) -> str:
    """The title without an artist's name in another script bracketed after it: "A (<Hangul>)"."""
    for artist in artists:
        pattern = re.compile(rf"({re.escape(artist.name)})\s*[(\[]([^()\[\]]+)[)\]]", re.I)
        title = pattern.sub(
            lambda m: m.group(1) if is_non_latin(m.group(2)) != is_non_latin(m.group(1)) else m[0],
            title,
        )
    return title
