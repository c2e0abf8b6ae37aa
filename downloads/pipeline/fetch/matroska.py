"""Reading Matroska (WebM) the way YouTube serves its audio: EBML elements, the tracks, the blocks.

Two readers use it: the codec sniff (`sniff.py`, the track entries in a file's head) and the
Opus remux (`ogg_opus.py`, every packet of the one audio track, a cluster at a time). Both read
only what they can be sure of and raise `Unreadable` otherwise; the caller then asks ffmpeg.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

# Element ids, with their length marker, as they appear in the file.
EBML, SEGMENT, TRACKS, TRACK_ENTRY = 0x1A45DFA3, 0x18538067, 0x1654AE6B, 0xAE
CLUSTER, TRACK_NUMBER, TRACK_TYPE, CODEC_ID = 0x1F43B675, 0xD7, 0x83, 0x86
CODEC_PRIVATE, CONTENT_ENCODINGS = 0x63A2, 0x6D80
SIMPLE_BLOCK, BLOCK_GROUP, BLOCK, DISCARD_PADDING = 0xA3, 0xA0, 0xA1, 0x75A2
ENCRYPTED_BLOCK = 0xAF
EBML_MAGIC = EBML.to_bytes(4, "big")
AUDIO_TRACK = 2
_LACING = 0x06  # a block's flags: several frames laced into one block
# Clusters of YouTube's audio hold a few seconds (some hundred kilobytes); one of more than this
# is no file of theirs, and reading it whole is not worth its memory.
_CLUSTER_MAX = 32 * 1024 * 1024
_HEADER_MAX = 12  # an element's id (up to 4 bytes) and size (up to 8)


class Unreadable(Exception):
    """Damaged, cut short, or laid out in a way these readers do not follow."""


def vint(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-size integer at `at`: (value, position after it); -1 for unknown size."""
    if at >= len(data):
        raise Unreadable("cut short")
    first = data[at]
    length = 9 - first.bit_length() if first else 9
    if length > 8 or at + length > len(data):
        raise Unreadable("cut short")
    value = int.from_bytes(data[at : at + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
        if value == (1 << (7 * length)) - 1:
            value = -1  # unknown size: the element runs to the end of its parent
    return value, at + length


def elements(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(id, body start, body end) of the elements between `start` and `end`, up to a cluster."""
    found, at = [], start
    while at < end:
        element, at = vint(data, at, keep_marker=True)
        size, at = vint(data, at, keep_marker=False)
        body_end = end if size < 0 else min(at + size, end)
        found.append((element, at, body_end))
        if element == CLUSTER:
            break  # media from here on
        at = body_end
    return found


def audio_track(data: bytes, start: int, end: int) -> dict[int, bytes] | None:
    """The fields of the first audio track entry in a Tracks element's body."""
    for element, entry_start, entry_end in elements(data, start, end):
        if element != TRACK_ENTRY:
            continue
        fields = {e: data[s:t] for e, s, t in elements(data, entry_start, entry_end)}
        if int.from_bytes(fields.get(TRACK_TYPE, b""), "big") == AUDIO_TRACK:
            return fields
    return None


def codec_id(fields: dict[int, bytes]) -> str:
    return fields.get(CODEC_ID, b"").rstrip(b"\0").decode("ascii", "replace")


class OpusBlocks:
    """The Opus packets of a WebM file whose only track is Opus audio, a cluster at a time.

    Only what YouTube's audio files hold is followed: one track, clusters of known size, blocks
    without lacing or encryption, an end trimmed by the last block's DiscardPadding
    (`discard_ns` once `clusters()` is done). Anything else raises Unreadable, before or while
    `clusters()` runs. Padding declared before the last block (a file spliced from encodes, not
    YouTube's) cannot be said in Ogg: it is played, as ffmpeg's remux does.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._file = handle
        self.discard_ns = 0
        self._segment_end = self._enter_segment()
        self._position, fields = self._tracks()
        if codec_id(fields) != "A_OPUS" or CONTENT_ENCODINGS in fields:
            raise Unreadable("not plain Opus")
        self.head = fields.get(CODEC_PRIVATE, b"")
        if not self.head.startswith(b"OpusHead"):
            raise Unreadable("no Opus header")
        number = int.from_bytes(fields.get(TRACK_NUMBER, b""), "big")
        if not 0 < number < 0x7F:
            raise Unreadable("track number")
        self._track = 0x80 | number  # as one-byte vint, how blocks name it

    def clusters(self) -> Iterator[list[bytes]]:
        at = self._position
        while at < self._segment_end:
            found = self._header(at)
            if found is None:
                if self._sized:
                    raise Unreadable("cut short")
                return  # a segment of unknown size ends with the file
            element, body, size = found
            if element == CLUSTER and size is None:
                raise Unreadable("a cluster of unknown size")
            if size is None:
                break  # an element of unknown size (tags, say) runs to the end: no media in it
            if element == CLUSTER:
                yield self._packets(self._read(body, size))
            at = body + size

    def _enter_segment(self) -> int:
        header, body, size = self._present(0)
        if header != EBML or size is None:
            raise Unreadable("not EBML")
        element, segment_body, segment_size = self._present(body + size)
        if element != SEGMENT:
            raise Unreadable("no segment")
        self._segment_body, self._sized = segment_body, segment_size is not None
        return 1 << 62 if segment_size is None else segment_body + segment_size

    def _tracks(self) -> tuple[int, dict[int, bytes]]:
        at = self._segment_body
        while at < self._segment_end:
            element, body, size = self._present(at)
            if size is None or element == CLUSTER:
                break
            if element == TRACKS:
                data = self._read(body, size)
                entries = [e for e in elements(data, 0, len(data)) if e[0] == TRACK_ENTRY]
                fields = audio_track(data, 0, len(data))
                if len(entries) != 1 or fields is None:
                    raise Unreadable("not a single audio track")
                return body + size, fields
            at = body + size
        raise Unreadable("no tracks before the media")

    def _present(self, at: int) -> tuple[int, int, int | None]:
        found = self._header(at)
        if found is None:
            raise Unreadable("cut short")
        return found

    def _header(self, at: int) -> tuple[int, int, int | None] | None:
        """(id, body position, body size or None for unknown) of the element at `at`; None at
        the end of the file."""
        head = self._read(at, _HEADER_MAX, exact=False)
        if not head:
            return None
        element, after_id = vint(head, 0, keep_marker=True)
        size, after_size = vint(head, after_id, keep_marker=False)
        return element, at + after_size, None if size < 0 else size

    def _read(self, at: int, size: int, *, exact: bool = True) -> bytes:
        if size > _CLUSTER_MAX:
            raise Unreadable("an element too large")
        self._file.seek(at)
        data = self._file.read(size)
        if exact and len(data) != size:
            raise Unreadable("cut short")
        return data

    def _packets(self, data: bytes) -> list[bytes]:
        """The packets of one cluster's body. A hot loop (50 blocks a second of audio): the
        common block, a SimpleBlock of this track with a one- or two-byte size, is read inline."""
        packets: list[bytes] = []
        at, end, track, padding = 0, len(data), self._track, self.discard_ns
        while at < end:
            first = data[at + 1] if data[at] == SIMPLE_BLOCK and at + 2 < end else 0
            if 0x80 <= first < 0xFF:
                size, body = first & 0x7F, at + 2
            elif 0x40 <= first < 0x7F:
                size, body = (first & 0x3F) << 8 | data[at + 2], at + 3
            else:
                at, padding = self._element(data, at, packets, padding)
                continue
            at = body + size
            if at > end or size < 5 or data[body] != track or data[body + 3] & _LACING:
                raise Unreadable("a block cut short, of another track, or laced")
            packets.append(data[body + 4 : at])
            padding = 0
        self.discard_ns = padding
        return packets

    def _element(self, data: bytes, at: int, packets: list[bytes], padding: int) -> tuple[int, int]:
        """Any other element of a cluster: (position after it, the padding after its blocks)."""
        element, body = vint(data, at, keep_marker=True)
        size, body = vint(data, body, keep_marker=False)
        if size < 0 or body + size > len(data):
            raise Unreadable("a block cut short or of unknown size")
        if element == SIMPLE_BLOCK:
            packets.append(self._block(data, body, body + size))
            padding = 0
        elif element == BLOCK_GROUP:
            packet, padding = self._group(data, body, body + size)
            packets.append(packet)
        elif element == ENCRYPTED_BLOCK:
            raise Unreadable("encrypted")
        return body + size, padding

    def _group(self, data: bytes, start: int, end: int) -> tuple[bytes, int]:
        """A BlockGroup's packet and the nanoseconds of audio its DiscardPadding trims."""
        packet, padding = None, 0
        for element, body, body_end in elements(data, start, end):
            if element == BLOCK:
                packet = self._block(data, body, body_end)
            elif element == DISCARD_PADDING:
                padding = int.from_bytes(data[body:body_end], "big", signed=True)
        if packet is None or padding < 0:
            raise Unreadable("a block group without its block, or padding below zero")
        return packet, padding

    def _block(self, data: bytes, start: int, end: int) -> bytes:
        # Track number (one byte), timecode (two), flags (one), then the frame.
        if end - start < 5 or data[start] != self._track or data[start + 3] & _LACING:
            raise Unreadable("another track, or laced frames")
        return data[start + 4 : end]
