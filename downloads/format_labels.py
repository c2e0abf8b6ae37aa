"""Short names of audio formats for lists and headings; the long descriptions (AudioFormat's
labels) belong where a format is chosen."""

from __future__ import annotations

from downloads.models import AudioFormat

_SHORT = {
    AudioFormat.ORIGINAL: "Original",
    AudioFormat.MP3: "MP3",
    AudioFormat.M4A: "M4A",
    AudioFormat.OPUS: "Opus",
}
# ffmpeg's codec names: an original file is named for what it holds.
_CODECS = {"opus": "Opus", "aac": "AAC", "vorbis": "Vorbis", "mp3": "MP3", "flac": "FLAC"}


def format_short(audio_format: str, codec: str = "") -> str:
    """ "Opus" for an original file that holds Opus, "MP3" for a converted one; "Original"
    when the codec is not known (a job not yet downloaded)."""
    if audio_format == AudioFormat.ORIGINAL and codec.lower() in _CODECS:
        return _CODECS[codec.lower()]
    return _SHORT.get(audio_format, audio_format)  # type: ignore[call-overload, no-any-return]
