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

from downloads.pipeline.fetch import matroska

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
        if head[:4] == matroska.EBML_MAGIC:
            return _matroska_codec(head)
        if head[4:8] == b"ftyp":
            return _MP4_CODECS.get(_mp4_codec(path))
    except (OSError, MutagenError, matroska.Unreadable):
        return None
    return None


def _mp4_codec(path: Path) -> str:
    mp4: Any = mutagen.mp4.MP4(path)  # type: ignore[no-untyped-call]
    return str(mp4.info.codec).lower()


def _matroska_codec(data: bytes) -> str | None:
    for element, start, end in matroska.elements(data, 0, len(data)):
        if element != matroska.SEGMENT:
            continue
        for child, child_start, child_end in matroska.elements(data, start, end):
            if child == matroska.TRACKS:
                fields = matroska.audio_track(data, child_start, child_end)
                return None if fields is None else _MATROSKA_CODECS.get(matroska.codec_id(fields))
    return None
