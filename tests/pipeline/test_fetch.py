"""What a fetch delivers, against the sandbox over real HTTP with real yt-dlp and real ffmpeg:
streams copied or converted to the asked codec, progress, one yt-dlp instance per thread."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from mutagen.mp3 import MP3, BitrateMode

from downloads.pipeline.fetch.convert import plan_output, probe_codec
from downloads.pipeline.fetch.options import FetchOptions
from downloads.pipeline.fetch.stage import fetch
from spotifydl.ffmpeg import ffmpeg_path
from tests.pipeline.fetching import fetch_into as _fetch

# ---- unit: what ffmpeg is asked to do ---------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "wanted", "ext", "codec", "copies"),
    [
        ("opus", "original", "opus", "opus", True),
        ("aac", "original", "m4a", "aac", True),
        ("vorbis", "original", "ogg", "vorbis", True),
        ("flac", "original", "opus", "opus", False),
        ("opus", "mp3", "mp3", "mp3", False),
        ("aac", "mp3-v0", "mp3", "mp3", False),
        ("mp3", "mp3", "mp3", "mp3", True),
        ("opus", "m4a", "m4a", "aac", False),
        ("aac", "m4a", "m4a", "aac", True),
        ("aac", "opus", "opus", "opus", False),
        ("opus", "opus", "opus", "opus", True),
    ],
)
def test_streams_are_copied_when_the_codec_fits_and_encoded_otherwise(
    source, wanted, ext, codec, copies
):
    plan = plan_output(source, wanted)

    assert (plan.ext, plan.codec, plan.copies) == (ext, codec, copies)


# ---- integration: the sandbox's media server --------------------------------------------------


def _packets(path: Path) -> list[str]:
    """Per-packet checksums of the audio stream: equal lists mean the stream was not re-encoded."""
    result = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
         "-c", "copy", "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    # Fields: stream, dts, pts, duration, size, payload hash[, side data]. Only the payload
    # counts: containers carry timing side data (Opus pre-skip, padding) in different places.
    return [line.split(",")[5].strip() for line in result.stdout.splitlines()
            if line and not line.startswith("#")]  # fmt: skip


@pytest.mark.integration
@pytest.mark.parametrize(
    ("source_ext", "ext", "codec"), [("webm", "opus", "opus"), ("m4a", "m4a", "aac")]
)
def test_original_keeps_the_stream_bit_for_bit(
    media_sandbox, short_track, workdir, source_ext, ext, codec
):
    url = short_track.media_url(media_sandbox, source_ext)

    fetched = _fetch(url, workdir)

    source = media_sandbox.media.cache.path(short_track.right, source_ext, "tiny")
    assert fetched.path.suffix == f".{ext}"
    assert fetched.path.parent == workdir
    assert (fetched.codec, fetched.source_codec, fetched.converted) == (codec, codec, False)
    assert probe_codec(fetched.path) == codec
    assert _packets(fetched.path) == _packets(source)
    candidates = [short_track.right, *short_track.wrong]
    assert media_sandbox.media.identify(fetched.path, candidates) == short_track.right
    assert list(workdir.iterdir()) == [fetched.path]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("audio_format", "ext", "codec"),
    [
        ("mp3", "mp3", "mp3"),
        ("mp3-v0", "mp3", "mp3"),
        ("m4a", "m4a", "aac"),
        ("opus", "opus", "opus"),
    ],
)
def test_conversions_give_the_asked_codec_and_the_same_recording(
    media_sandbox, short_track, workdir, audio_format, ext, codec
):
    source_ext = "m4a" if codec == "opus" else "webm"  # always a real conversion
    url = short_track.media_url(media_sandbox, source_ext)

    fetched = _fetch(url, workdir, options=FetchOptions(audio_format=audio_format))

    assert fetched.path.suffix == f".{ext}"
    assert fetched.converted
    assert probe_codec(fetched.path) == codec
    candidates = [short_track.right, *short_track.wrong]
    assert media_sandbox.media.identify(fetched.path, candidates) == short_track.right


@pytest.mark.integration
@pytest.mark.parametrize(
    ("audio_format", "mode"), [("mp3", BitrateMode.CBR), ("mp3-v0", BitrateMode.VBR)]
)
def test_mp3_is_320k_cbr_or_v0_vbr(media_sandbox, short_track, workdir, audio_format, mode):
    url = short_track.media_url(media_sandbox)

    fetched = _fetch(url, workdir, options=FetchOptions(audio_format=audio_format))

    info: Any = MP3(fetched.path).info  # type: ignore[no-untyped-call]
    assert info.bitrate_mode == mode
    if mode == BitrateMode.CBR:
        assert info.bitrate == 320_000


@pytest.mark.integration
def test_progress_reports_bytes_up_to_the_total(media_sandbox, long_track, workdir):
    seen: list[tuple[int, int | None]] = []

    fetched = _fetch(long_track.media_url(media_sandbox), workdir,
                     progress=lambda done, total: seen.append((done, total)))  # fmt: skip

    size = media_sandbox.media.cache.path(long_track.right, "webm", "tiny").stat().st_size
    assert fetched.path.exists()
    assert seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.integration
def test_one_thread_reuses_its_yt_dlp_instance_until_the_cookies_change(
    media_sandbox, short_track, tmp_path, monkeypatch, settings
):
    import yt_dlp

    from downloads.pipeline.fetch import download

    built: list[dict[str, Any]] = []

    class Counting(yt_dlp.YoutubeDL):  # type: ignore[misc]
        def __init__(self, params: dict[str, Any]) -> None:
            built.append(params)
            super().__init__(params)

    monkeypatch.setattr(yt_dlp, "YoutubeDL", Counting)
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tSID\tone\n")
    url = short_track.media_url(media_sandbox)
    download.forget_session()

    def run(n: int) -> Path:
        work = tmp_path / f"w{n}"
        work.mkdir()
        return fetch(url, options=FetchOptions(cookiefile=cookies), workdir=work).path

    paths = [run(0), run(1)]
    cookies.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tSID\ttwo2\n")
    paths.append(run(2))
    download.forget_session()

    assert len(built) == 2  # the second download reused the first's instance
    assert [p.parent.name for p in paths] == ["w0", "w1", "w2"]  # each in its own folder
    assert built[0]["cachedir"] == str(settings.YTDLP_CACHE_DIR)  # kept between runs
