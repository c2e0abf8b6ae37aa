"""Version words: what makes one recording of a song another one (live, remix, "Band Ver.")."""

from __future__ import annotations

import re

from downloads.pipeline.match.normalize import Tokens

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
# Channel names alone reveal these ("... Sped Up", "... Karaoke", "Acoustic Covers").
CHANNEL_TAGS = frozenset({"karaoke", "nightcore", "sped up", "slowed", "8D audio", "cover"})

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
# Words that make the words before them a version's name: "Band Ver.", "TV Size", "Club Mix".
# Japanese "バージョン" reads as "version"; Korean "버전" folds to "beojeon".
GENERAL_MARKERS = {
    "version": "version", "ver": "version", "versao": "version", "versione": "version",
    "beojeon": "version", "mix": "mix", "size": "size",
}  # fmt: skip
VERSION_MARKERS = frozenset({
    *GENERAL_MARKERS, "edit", "take", "recording", "rendition", "cut",
})  # fmt: skip
# Version qualifiers that name the ordinary release rather than another one.
NEUTRAL_VERSION_WORDS = frozenset({
    "original", "album", "lp", "studio", "main", "standard", "full", "single", "official",
    "track", "bonus", "deluxe",
})  # fmt: skip
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


def version_tags(tokens: Tokens, raw: str = "") -> frozenset[str]:
    """Version words present in folded tokens (and, for CJK words, the raw text)."""
    text = " ".join(tokens)
    found = {tag for tag, pattern in _TAG_PATTERNS if pattern.search(text)}
    found.update(tag for tag, pattern in _RAW_TAG_PATTERNS if pattern.search(raw))
    return frozenset(found)


def version_names(tokens: Tokens, ignored: frozenset[str] = frozenset()) -> frozenset[str]:
    """Versions named anywhere in a title: "Band Ver." gives "band version", "TV Size" "tv size".

    The name is the word before the marker (or a number after it: "Ver. 2"); words in `ignored`
    (upload annotations, the artists, remasters) and words naming the ordinary release are
    skipped, so "Official Version" and "Album Version" name nothing, and so are versions the
    version words judge already ("Radio Version", "Acoustic Version", "Club Mix").
    """
    names: set[str] = set()
    for index, word in enumerate(tokens):
        marker = GENERAL_MARKERS.get(word)
        if marker is None:
            continue
        before = tokens[index - 1] if index else ""
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if before and before not in ignored and before not in NEUTRAL_VERSION_WORDS:
            # "cover" is not judged on the artist's own channel: a "Self-Cover Ver." still counts.
            if not version_tags((before, word)) - {"cover"}:
                names.add(f"{before} {marker}")
        elif after.isdigit():
            names.add(f"{marker} {after}")
    return frozenset(names)
