"""Tags written by `write_tags` read back intact from MP3, M4A, Opus and Vorbis files."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from downloads.pipeline.errors import TagError
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.tag import read_tags, spotify_track_id, write_tags
from spotifydl.ffmpeg import ffmpeg_path

CONTAINERS = ["mp3", "m4a", "opus", "ogg"]

FULL = TrackTags(
    title="Señorita (Remix) — 東京",
    artists=("Shawn Mendes", "Camila Cabello", "עומר אדם"),
    album="Señorita 🎶",
    album_artists=("Shawn Mendes",),
    track_number=3,
    track_total=12,
    disc_number=2,
    disc_total=2,
    release_date="2019-06-21",
    isrc="USUM71911283",
    explicit=True,
    spotify_url="https://open.spotify.com/track/6v3KW9xbzN5yKLt9YKDYA2",
    source_url="https://music.youtube.com/watch?v=Pkh8UtuejGw",
    match_score=0.9731,
)


def _plays(path: Path) -> bool:
    result = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-nostdin", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        timeout=60,
    )
    return result.returncode == 0 and not result.stderr


@pytest.mark.parametrize("audio_file", CONTAINERS, indirect=True)
def test_every_field_reads_back_as_written(audio_file, cover_jpeg):
    write_tags(audio_file, FULL, cover_jpeg)

    tags = read_tags(audio_file)

    assert tags["title"] == FULL.title
    assert tags["artist"] == "Shawn Mendes, Camila Cabello, עומר אדם"
    assert tags["artists"] == FULL.artists
    assert tags["album_artist"] == "Shawn Mendes"
    assert tags["album"] == FULL.album
    assert (tags["track_number"], tags["track_total"]) == (3, 12)
    assert (tags["disc_number"], tags["disc_total"]) == (2, 2)
    assert tags["release_date"] == "2019-06-21"
    assert tags["isrc"] == "USUM71911283"
    assert tags["explicit"] is True
    assert tags["spotify_url"] == FULL.spotify_url
    assert tags["source_url"] == FULL.source_url
    assert tags["match_score"] == pytest.approx(0.9731)


@pytest.mark.parametrize("audio_file", CONTAINERS, indirect=True)
def test_cover_art_is_stored_byte_for_byte_and_the_audio_still_plays(audio_file, cover_jpeg):
    write_tags(audio_file, FULL, cover_jpeg)

    assert read_tags(audio_file)["cover"] == cover_jpeg
    assert _plays(audio_file)


@pytest.mark.parametrize("audio_file", CONTAINERS, indirect=True)
def test_release_dates_keep_their_precision_and_not_explicit_reads_as_false(audio_file):
    for date in ("1977", "1977-03", "1977-03-04"):
        write_tags(audio_file, dataclasses.replace(FULL, release_date=date, explicit=False))

        tags = read_tags(audio_file)

        assert tags["release_date"] == date
        assert tags["explicit"] is False


@pytest.mark.parametrize("audio_file", CONTAINERS, indirect=True)
def test_retagging_drops_every_old_field_and_the_old_cover(audio_file, cover_jpeg):
    write_tags(audio_file, FULL, cover_jpeg)
    sparse = TrackTags(title="Only a title", artists=("Solo",), album="")

    write_tags(audio_file, sparse)
    tags = read_tags(audio_file)

    assert tags["title"] == "Only a title"
    assert tags["artists"] == ("Solo",)
    assert tags["isrc"] is None
    assert tags["explicit"] is None
    assert tags["track_number"] is None
    assert tags["match_score"] is None
    assert tags["cover"] is None


@pytest.mark.parametrize("audio_file", CONTAINERS, indirect=True)
def test_the_spotify_track_id_is_read_from_the_tags(audio_file):
    write_tags(audio_file, FULL)

    assert spotify_track_id(audio_file) == "6v3KW9xbzN5yKLt9YKDYA2"


def test_a_file_that_is_not_audio_cannot_be_tagged(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("not audio at all")

    with pytest.raises(TagError):
        write_tags(path, FULL)
    assert spotify_track_id(path) is None
