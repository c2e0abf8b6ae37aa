"""Opus moved from a WebM into Ogg in our process: the same audio, a valid Ogg stream, and every
file the remux does not follow left to ffmpeg with nothing written.

The WebM files are made by real ffmpeg; the Ogg pages are checked with a CRC written out here
bit by bit (not the table trick the product uses), and the audio by ffmpeg's decoder.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.fetch.convert import convert, plan_output
from downloads.pipeline.fetch.ogg_opus import remux_webm_opus
from tests.pipeline.fetching import PICTURE, TONE, decoded, made_by_ffmpeg

# 1.37 s: the last 20 ms frame is part padding, which the WebM's DiscardPadding trims.
ODD_TONE = ("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=1.37")
# 256 kb/s stereo: packets of more than 255 bytes, laced in several segments each.
STEREO = ("-f", "lavfi", "-i", "sine=frequency=550:duration=2", "-ac", "2", "-b:a", "256k")
# 60 ms packets: three 20 ms CELT frames each, counted by the packet's second byte.
LONG_FRAMES = ("-f", "lavfi", "-i", "sine=frequency=660:duration=2", "-frame_duration", "60")


def never() -> bool:
    return False


def _opus(path: Path) -> Any:
    return OggOpus(path)  # type: ignore[no-untyped-call]


def _webm(tmp_path: Path, source: tuple[str, ...] = ODD_TONE, *extra: str) -> Path:
    return made_by_ffmpeg(tmp_path / "source.webm", *source, "-c:a", "libopus", *extra)


def _ogg_crc(page: bytes) -> int:
    """Ogg's CRC (RFC 3533): polynomial 0x04C11DB7, MSB first, initial value 0, no final xor."""
    crc = 0
    for byte in page[:22] + bytes(4) + page[26:]:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def _pages(path: Path) -> list[OggPage]:
    data, pages = path.read_bytes(), []
    handle = io.BytesIO(data)
    while handle.tell() < len(data):
        start = handle.tell()
        page = OggPage(handle)  # type: ignore[no-untyped-call]
        raw = data[start : handle.tell()]
        assert int.from_bytes(raw[22:26], "little") == _ogg_crc(raw), f"page {page.sequence}"
        pages.append(page)
    return pages


@pytest.mark.parametrize(
    "source", [ODD_TONE, STEREO, LONG_FRAMES], ids=["mono-trimmed-end", "stereo", "60-ms-packets"]
)
def test_the_ogg_holds_the_same_audio_as_the_webm(tmp_path, source):
    webm = _webm(tmp_path, source)
    ogg = tmp_path / "audio.opus"

    assert remux_webm_opus(webm, ogg, never)

    assert decoded(ogg) == decoded(webm)


def test_the_ogg_stream_is_well_formed_with_its_length_to_the_sample(tmp_path):
    ogg = tmp_path / "audio.opus"
    remux_webm_opus(_webm(tmp_path), ogg, never)

    pages = _pages(ogg)

    assert pages[0].first and pages[0].packets[0].startswith(b"OpusHead")
    assert pages[1].packets[0].startswith(b"OpusTags")
    assert pages[-1].last and not any(page.last for page in pages[:-1])
    assert [page.sequence for page in pages] == list(range(len(pages)))
    positions = [page.position for page in pages[2:]]
    assert positions == sorted(positions)
    pre_skip = int.from_bytes(pages[0].packets[0][10:12], "little")
    assert positions[-1] - pre_skip == round(1.37 * 48_000)


def test_the_tag_stage_can_write_its_tags_into_the_ogg(tmp_path):
    webm = _webm(tmp_path)
    ogg = tmp_path / "audio.opus"
    remux_webm_opus(webm, ogg, never)

    tagged = _opus(ogg)
    tagged["title"] = "A tone"
    tagged.save()

    assert _opus(ogg)["title"] == ["A tone"]
    assert decoded(ogg) == decoded(webm)


def _laced(webm: Path) -> bytes:
    """The WebM with its first SimpleBlock marked as laced frames."""
    data = bytearray(webm.read_bytes())
    block = data.index(b"\xa3", data.index(b"\x1f\x43\xb6\x75"))  # first SimpleBlock of a cluster
    flags = block + 1 + (9 - data[block + 1].bit_length()) + 3
    data[flags] |= 0x02
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("vorbis.webm", lambda tmp: made_by_ffmpeg(tmp / "v.webm", *TONE, "-c:a", "libvorbis")),
        (
            "video-and-opus.mkv",
            lambda tmp: made_by_ffmpeg(
                tmp / "v.mkv", *PICTURE, *TONE, "-c:v", "mpeg4", "-c:a", "libopus"
            ),
        ),
        ("plain.ogg", lambda tmp: made_by_ffmpeg(tmp / "v.ogg", *TONE, "-c:a", "libopus")),
        ("laced.webm", lambda tmp: _written(tmp / "v.webm", _laced(_webm(tmp)))),
        ("cut.webm", lambda tmp: _written(tmp / "v.webm", _webm(tmp).read_bytes()[:-700])),
        ("page.webm", lambda tmp: _written(tmp / "v.webm", b"<!DOCTYPE html><html>Sign in</html>")),
    ],
)
def test_files_the_remux_does_not_follow_are_left_to_ffmpeg_with_nothing_written(
    tmp_path, name, make
):
    source, ogg = make(tmp_path), tmp_path / "audio.opus"

    assert not remux_webm_opus(source, ogg, never), name
    assert not ogg.exists()


def _written(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_a_video_with_opus_audio_is_still_kept_by_ffmpeg(tmp_path):
    source = made_by_ffmpeg(tmp_path / "v.mkv", *PICTURE, *TONE, "-c:v", "mpeg4", "-c:a", "libopus")
    ogg = tmp_path / "audio.opus"

    convert(source, ogg, plan_output("opus", "original"), never)

    assert _opus(ogg).info.length == pytest.approx(1.0, abs=0.03)


def test_a_cancel_stops_the_remux_and_leaves_no_file(tmp_path):
    ogg = tmp_path / "audio.opus"

    with pytest.raises(DownloadCancelled):
        remux_webm_opus(_webm(tmp_path), ogg, lambda: True)

    assert not ogg.exists()
