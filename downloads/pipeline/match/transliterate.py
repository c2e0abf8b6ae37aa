"""Any script to lower-case ASCII: Japanese through a Japanese reader, the rest through anyascii.

anyascii reads every Han character in Mandarin, so a Japanese title would become Mandarin
syllables and never meet its romaji upload. Japanese text (any kana, or Han characters inside
`japanese_readings(True)`) is read by cutlet, whose dictionary ships inside the unidic-lite
wheel: nothing is downloaded at run time. Which reading Han characters get is the matcher's call.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import cutlet
from anyascii import anyascii

# Emoji and other pictographs carry no meaning and anyascii would spell them out (":heart:").
_DROPPED_CATEGORIES = frozenset({"So", "Cf", "Cs", "Co"})
_KANA = re.compile("[\u3041-\u30ff\u31f0-\u31ff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
# A run of Japanese writing: kana, Han characters, the iteration mark and the long-vowel mark.
_JAPANESE_RUN = re.compile("[\u3005\u3041-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff]+")
# Han characters alone are Chinese or Japanese: only the track's own language tells which.
_han_is_japanese: ContextVar[bool] = ContextVar("han_is_japanese", default=False)


def has_han(text: str) -> bool:
    """True when the text holds Han characters (Chinese, or Japanese kanji)."""
    return _HAN.search(text) is not None


def has_kana(text: str) -> bool:
    """True when the text is certainly Japanese: it holds hiragana or katakana."""
    return _KANA.search(text) is not None


def is_non_latin(text: str) -> bool:
    """True when most letters are outside the Latin script (Hangul, kana, Cyrillic...)."""
    letters = [ch for ch in text if ch.isalpha()]
    foreign = sum(1 for ch in letters if ord(ch) > 0x24F)
    return bool(letters) and foreign * 2 > len(letters)


@contextmanager
def japanese_readings(enabled: bool) -> Iterator[None]:
    """Within the block, Han-only text is read as Japanese (the track being matched is)."""
    token = _han_is_japanese.set(enabled)
    try:
        yield
    finally:
        _han_is_japanese.reset(token)


@functools.cache
def _reader() -> Any:
    # Built on first use: loading the dictionary takes a moment that only Japanese text needs.
    return cutlet.Cutlet()


@functools.lru_cache(maxsize=4096)
def _read_japanese(run: str) -> str:
    return f" {_reader().romaji(run)} "


def _romanise_run(found: re.Match[str]) -> str:
    run = found.group(0)
    if has_kana(run) or _han_is_japanese.get():
        return _read_japanese(run)
    return anyascii(run)


def fold(text: str) -> str:
    """NFKC, drop pictographs, transliterate to ASCII, casefold."""
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _DROPPED_CATEGORIES and not "\ufe00" <= ch <= "\ufe0f"
    )
    return anyascii(_JAPANESE_RUN.sub(_romanise_run, kept)).casefold()
