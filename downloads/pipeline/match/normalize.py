"""Words of a title: folded tokens, runs of tokens, and how close two song names are.

Everything here is pure string work on one text at a time; the signals weigh what it finds.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from downloads.pipeline.match.transliterate import fold

Tokens = tuple[str, ...]

# Dropped without leaving a gap, so "A.B.C." folds to "abc" and "Can't" to "cant"
# (anyascii has already turned curly apostrophes into straight ones).
_JOINING_PUNCT = str.maketrans("", "", "'`.")
_NON_WORD = re.compile(r"[^0-9a-z]+")
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


# Two words this close are one word spelt two ways (transliteration, a typo).
SPELLING_SLIP_RATIO = 0.75


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


def word_overlap(a: Tokens, b: Tokens) -> float:
    """F1 of words matched one to one, spelling slips allowed (two transliterations of a word)."""
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

    Whole words count because an extra word makes another song ("Song Duet" is not "Song")
    while a spelling slip does not.
    """
    if not a or not b:
        return 0.0
    spelling = max(_ratio(" ".join(a), " ".join(b)), _ratio("".join(a), "".join(b)))
    words = 1.0 if "".join(a) == "".join(b) else word_overlap(a, b)
    return (spelling + words) / 2


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
