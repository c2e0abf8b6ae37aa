"""The audio codec a download's container declares, read from its header in this process.

YouTube's audio comes as WebM (Opus, older uploads Vorbis) or MP4 (AAC). Both name the codec
in their header: Matroska's track entry (`CodecID`), MP4's sample description (mutagen reads
it). Reading it here spares an ffmpeg process per track, on the download thread, just to learn
what the remux must keep. None when the header does not say (another container, a damaged or
truncated file, no audio track): the caller then asks ffmpeg, which also tells a file without
audio from one it cannot read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mutagen.mp4
from mutagen import MutagenError

# Matroska element ids (with their length marker, as they appear in the file).
_EBML, _SEGMENT, _TRACKS, _TRACK_ENTRY = 0x1A45DFA3, 0x18538067, 0x1654AE6B, 0xAE
_CLUSTER, _TRACK_TYPE, _CODEC_ID = 0x1F43B675, 0x83, 0x86
_EBML_MAGIC = _EBML.to_bytes(4, "big")
_AUDIO_TRACK = 2
# Tracks come before the first cluster; YouTube's WebM has them within its first kilobytes.
_HEAD_BYTES = 256 * 1024
# Codec ids to the names ffmpeg gives the same codecs (what the conversion plan speaks).
_MATROSKA_CODECS = {
    "A_OPUS": "opus",
    "A_VORBIS": "vorbis",
    "A_AAC": "aac",
    "A_MPEG/L3": "mp3",
    "A_FLAC": "flac",
}
# MP4's codec strings (RFC 6381), as mutagen gives them, lower-cased: AAC LC, HE-AAC (v2); MPEG-1
# Layer 3 by its object type (0x6B, 0x69 for MPEG-2) or its audio object type (34).
_MP4_CODECS = {
    "mp4a.40.2": "aac",
    "mp4a.40.5": "aac",
    "mp4a.40.29": "aac",
    "mp4a.6b": "mp3",
    "mp4a.69": "mp3",
    "mp4a.40.34": "mp3",
}


def container_codec(path: Path) -> str | None:
    """The first audio track's codec as its container declares it ("opus", "aac", ...)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        if head[:4] == _EBML_MAGIC:
            return _matroska_codec(head)
        if head[4:8] == b"ftyp":
            return _MP4_CODECS.get(_mp4_codec(path))
    except (OSError, MutagenError, _Truncated):
        return None
    return None


def _mp4_codec(path: Path) -> str:
    mp4: Any = mutagen.mp4.MP4(path)  # type: ignore[no-untyped-call]
    return str(mp4.info.codec).lower()


class _Truncated(Exception):
    pass


def _vint(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-size integer at `at`: (value, position after it)."""
    if at >= len(data):
        raise _Truncated
    first = data[at]
    length = 9 - first.bit_length() if first else 9
    if length > 8 or at + length > len(data):
        raise _Truncated
    value = int.from_bytes(data[at : at + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
        if value == (1 << (7 * length)) - 1:
            value = -1  # unknown size: the element runs to the end of its parent
    return value, at + length


def _elements(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(id, body start, body end) of the elements between `start` and `end`."""
    found, at = [], start
    while at < end:
        element, at = _vint(data, at, keep_marker=True)
        size, at = _vint(data, at, keep_marker=False)
        body_end = end if size < 0 else min(at + size, end)
        found.append((element, at, body_end))
        if element == _CLUSTER:
            break  # media from here on: the tracks were not where they belong
        at = body_end
    return found


def _matroska_codec(data: bytes) -> str | None:
    for element, start, end in _elements(data, 0, len(data)):
        if element != _SEGMENT:
            continue
        for child, child_start, child_end in _elements(data, start, end):
            if child == _TRACKS:
                return _audio_codec(data, child_start, child_end)
    return None


def _audio_codec(data: bytes, start: int, end: int) -> str | None:
    for element, entry_start, entry_end in _elements(data, start, end):
        if element != _TRACK_ENTRY:
            continue
        fields = {e: data[s:t] for e, s, t in _elements(data, entry_start, entry_end)}
        if int.from_bytes(fields.get(_TRACK_TYPE, b""), "big") == _AUDIO_TRACK:
            codec_id = fields.get(_CODEC_ID, b"").rstrip(b"\0").decode("ascii", "replace")
            return _MATROSKA_CODECS.get(codec_id)
    return None
