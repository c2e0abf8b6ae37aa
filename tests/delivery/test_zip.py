"""ZIPs of a playlist, an album, Liked Songs, a job and a selection: stored, sized, streamed."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.http import StreamingHttpResponse
from django.test import Client

from downloads.delivery.selectors import Collection, Kind
from downloads.delivery.zipstream import BATCH_BYTES, ArchiveStream, build_archive
from downloads.models import StoredFile
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.tag import write_tags
from tests.factories import (
    AlbumFactory,
    ArtistFactory,
    JobFactory,
    JobItemFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    TrackFactory,
)
from tests.support.files import PutFile, playlist_with_files
from tests.support.responses import body

UTF8_FLAG = 0x800


def _zip(response: Any) -> tuple[bytes, zipfile.ZipFile]:
    data = body(response)
    return data, zipfile.ZipFile(io.BytesIO(data))


@pytest.fixture
def mix(
    user: Any,
    put_file: PutFile,
    covers_dir: Path,
    jpeg_bytes: bytes,
    opus_file: Path,
    tmp_path: Path,
) -> dict[str, Any]:
    """Ana's playlist "Mix": two Björk songs (cover cached), one song with an embedded cover, a
    repeat, and a song not downloaded (so its ZIP is asked for with ?partial=1, past the question
    tests/delivery/test_partial_zip.py covers)."""
    bjork = ArtistFactory.create(name="Björk")
    homogenic = AlbumFactory.create(name="Homogenic", artists=[bjork])
    other = AlbumFactory.create(name="B")
    hunter = TrackFactory.create(name="Hunter", album=homogenic, artists=[bjork], duration_ms=3000)
    joga = TrackFactory.create(name="Jóga", album=homogenic, artists=[bjork], duration_ms=3000)
    tagged = TrackFactory.create(name="Tagged", album=other, duration_ms=3000)
    missing = TrackFactory.create(name="Missing")
    playlist, _ = playlist_with_files(user, [joga, hunter, tagged, joga, missing])
    (covers_dir / f"{homogenic.spotify_id}.jpg").write_bytes(jpeg_bytes)
    with_cover = tmp_path / "with-cover.opus"
    with_cover.write_bytes(opus_file.read_bytes())
    write_tags(with_cover, TrackTags(title="Tagged", artists=("X",), album="B"), cover=jpeg_bytes)
    files = {
        "hunter": put_file(hunter, "Björk/Homogenic/1-01 Hunter.opus", b"hunter " * 100),
        "joga": put_file(joga, "Björk/Homogenic/1-02 Jóga.opus", b"joga " * 100),
        "tagged": put_file(tagged, "Other/B/1-01 Tagged.opus", source=with_cover),
    }
    return {"playlist": playlist, "files": files, "album": homogenic, "cover": jpeg_bytes}


def test_a_playlist_zip_has_the_music_folder_layout_covers_and_an_m3u8(
    signed_in: Client, mix: dict[str, Any], music_root: Path
) -> None:
    response = signed_in.get(f"/zip/playlists/{mix['playlist'].spotify_id}/?partial=1")
    data, archive = _zip(response)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response.is_async
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Mix.zip\"; filename*=UTF-8''Mix.zip"
    )
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == [
        "Björk/Homogenic/1-01 Hunter.opus",
        "Björk/Homogenic/1-02 Jóga.opus",
        "Björk/Homogenic/cover.jpg",
        "Mix.m3u8",
        "Other/B/1-01 Tagged.opus",
        "Other/B/cover.jpg",
    ]
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    assert archive.getinfo("Björk/Homogenic/1-02 Jóga.opus").flag_bits & UTF8_FLAG
    for stored in mix["files"].values():
        assert archive.read(stored.path) == (music_root / stored.path).read_bytes()
    assert archive.read("Björk/Homogenic/cover.jpg") == mix["cover"]  # the cached cover
    assert archive.read("Other/B/cover.jpg") == mix["cover"]  # the embedded one


def test_the_m3u8_lists_the_downloaded_tracks_in_playlist_order_relative_to_the_root(
    signed_in: Client, mix: dict[str, Any]
) -> None:
    _, archive = _zip(signed_in.get(f"/zip/playlists/{mix['playlist'].spotify_id}/?partial=1"))

    assert archive.read("Mix.m3u8").decode() == (
        "#EXTM3U\n"
        "#EXTINF:3,Björk - Jóga\nBjörk/Homogenic/1-02 Jóga.opus\n"
        "#EXTINF:3,Björk - Hunter\nBjörk/Homogenic/1-01 Hunter.opus\n"
        f"#EXTINF:3,{mix['files']['tagged'].track.trackartist_set.get().artist.name} - Tagged\n"
        "Other/B/1-01 Tagged.opus\n"
        "#EXTINF:3,Björk - Jóga\nBjörk/Homogenic/1-02 Jóga.opus\n"
    )


def test_a_folder_shared_by_two_albums_gets_no_cover(
    signed_in: Client, user: Any, put_file: PutFile, covers_dir: Path, jpeg_bytes: bytes
) -> None:
    for name in ["one", "two"]:
        track = SavedTrackFactory.create(user=user).track
        assert track.album is not None
        (covers_dir / f"{track.album.spotify_id}.jpg").write_bytes(jpeg_bytes)
        put_file(track, f"Flat/{name}.opus")

    _, archive = _zip(signed_in.get("/zip/liked/"))

    assert sorted(archive.namelist()) == ["Flat/one.opus", "Flat/two.opus", "Liked Songs.m3u8"]


def test_an_album_zip_is_named_after_its_artists_and_title(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    album = AlbumFactory.create(name="Homogenic", artists=[ArtistFactory.create(name="Björk")])
    SavedAlbumFactory.create(user=user, album=album)
    put_file(TrackFactory.create(album=album, name="Hunter"), "Björk/Homogenic/01 Hunter.opus")

    response = signed_in.get(f"/zip/albums/{album.spotify_id}/")
    _, archive = _zip(response)

    assert response["Content-Disposition"] == (
        'attachment; filename="Bjork - Homogenic.zip"; '
        "filename*=UTF-8''Bj%C3%B6rk%20-%20Homogenic.zip"
    )
    assert "Björk/Homogenic/01 Hunter.opus" in archive.namelist()


def test_a_job_zip_holds_the_jobs_files_and_prefers_the_jobs_format(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    job = JobFactory.create(finished=True, owner=user, title="Road trip", audio_format="mp3")
    track = JobItemFactory.create(done=True, job=job).track
    put_file(track, "A/B/song.opus", audio_format="original")
    put_file(track, "A/B/song.mp3", audio_format="mp3")

    _, archive = _zip(signed_in.get(f"/zip/jobs/{job.pk}/"))

    assert sorted(archive.namelist()) == ["A/B/song.mp3", "Road trip.m3u8"]


def test_only_files_that_exist_on_disk_go_into_the_zip(
    signed_in: Client, mix: dict[str, Any]
) -> None:
    mix["files"]["hunter"].absolute_path.unlink()

    _, archive = _zip(signed_in.get(f"/zip/playlists/{mix['playlist'].spotify_id}/?partial=1"))

    assert "Björk/Homogenic/1-01 Hunter.opus" not in archive.namelist()
    assert "Björk/Homogenic/1-02 Jóga.opus" in archive.namelist()


def test_a_zip_of_nothing_downloaded_offers_to_download_the_tracks(
    signed_in: Client, user: Any
) -> None:
    playlist, _ = playlist_with_files(user, name="Empty Mix")

    response = signed_in.get(f"/zip/playlists/{playlist.spotify_id}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Nothing downloaded yet" in page
    assert 'action="/downloads/new/"' in page
    assert 'name="kind" value="playlist"' in page
    assert f'name="target" value="{playlist.spotify_id}"' in page


def test_a_job_zip_of_nothing_downloaded_links_back_to_the_job(
    signed_in: Client, user: Any
) -> None:
    job = JobFactory.create(finished=True, owner=user)
    JobItemFactory.create(done=True, job=job)

    page = signed_in.get(f"/zip/jobs/{job.pk}/").content.decode()

    assert "Nothing downloaded yet" in page
    assert f'href="/downloads/{job.pk}/"' in page


def test_head_of_a_zip_tells_its_size_without_reading_files(
    signed_in: Client, mix: dict[str, Any]
) -> None:
    url = f"/zip/playlists/{mix['playlist'].spotify_id}/?partial=1"
    size = len(body(signed_in.get(url)))

    response = signed_in.head(url)

    assert response["Content-Length"] == str(size)
    assert body(response) == b""


# --- the stream itself --------------------------------------------------------------------------


def _collection(files: list[StoredFile]) -> Collection:
    return Collection(Kind.SELECTION, "", "Test", len(files), files, "")


def _open_fds_to(path: Path) -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd) == str(path)
        except OSError:
            continue
    return count


def test_the_archive_comes_in_batches_of_about_a_mebibyte(
    user: Any, put_file: PutFile, music_root: Path
) -> None:
    track = SavedTrackFactory.create(user=user).track
    stored = put_file(track, "A/B/big.opus", os.urandom(3 * BATCH_BYTES + 123))
    archive = build_archive(_collection([stored]), root=music_root, covers=music_root / "none")
    assert archive is not None
    expected = len(archive)

    async def sizes() -> list[int]:
        return [len(batch) async for batch in ArchiveStream(archive)]

    batches = async_to_sync(sizes)()

    assert sum(batches) == expected
    assert max(batches) <= BATCH_BYTES + 64 * 1024
    assert len(batches) >= 3


def test_closing_the_stream_midway_closes_the_file_it_was_reading(
    user: Any, put_file: PutFile, music_root: Path
) -> None:
    track = SavedTrackFactory.create(user=user).track
    stored = put_file(track, "A/B/big.opus", os.urandom(3 * BATCH_BYTES))
    archive = build_archive(_collection([stored]), root=music_root, covers=music_root / "none")
    path = stored.absolute_path.resolve()
    stream = ArchiveStream(archive)

    async def first_batch_then_close() -> tuple[int, list[bytes]]:
        batches = aiter(stream)
        await anext(batches)
        reading = _open_fds_to(path)
        stream.close()
        return reading, [batch async for batch in batches]

    reading, rest = async_to_sync(first_batch_then_close)()

    assert reading == 1
    assert _open_fds_to(path) == 0
    assert rest == []


BIG = 2_200_000_000


@pytest.mark.slow
def test_an_archive_past_4_gib_uses_zip64_and_reads_back(
    user: Any, put_file: PutFile, music_root: Path, tmp_path: Path
) -> None:
    """Two sparse 2.2 GB files: each needs ZIP64 sizes, the central directory a ZIP64 offset."""
    files = []
    for name in ["one", "two"]:
        stored = put_file(SavedTrackFactory.create(user=user).track, f"Big/{name}.opus", b"")
        with open(stored.absolute_path, "r+b") as handle:
            handle.truncate(BIG)
            handle.seek(-4, os.SEEK_END)
            handle.write(b"tail")
        files.append(stored)
    archive = build_archive(_collection(files), root=music_root, covers=music_root / "none")
    assert archive is not None
    received = tmp_path / "big.zip"

    written = async_to_sync(_write_sparse)(ArchiveStream(archive), received)

    assert written == len(archive) > 4 * 2**30
    with zipfile.ZipFile(received) as readback:  # finds the central directory via ZIP64 records
        infos = readback.infolist()
        assert [info.filename for info in infos[:2]] == ["Big/one.opus", "Big/two.opus"]
        assert [info.file_size for info in infos[:2]] == [BIG, BIG]
        assert [info.CRC for info in infos[:2]] == [BIG_CRC] * 2
        assert infos[1].header_offset > BIG
        with readback.open("Big/two.opus") as member:
            member.seek(BIG - 4)  # stored members seek without reading what they skip
            assert member.read() == b"tail"


# CRC-32 of BIG - 4 zero bytes and b"tail", worked out once (zlib.crc32 over 2.2 GB takes
# seconds): crc = 0; crc = zlib.crc32(bytes(BIG - 4), crc); crc = zlib.crc32(b"tail", crc).
BIG_CRC = 0x97A0FAFD


# Bytes, not a memoryview: comparing bytes is one memcmp, a memoryview compares item by item
# (30 times slower, seconds over 4.4 GB).
_ZEROS = bytes(BATCH_BYTES + 2**20)


async def _write_sparse(stream: ArchiveStream, target: Path) -> int:
    """Write the stream, seeking over runs of zeros so the copy takes no real disk space."""
    written = 0
    # A test's own scratch file: blocking writes are fine on the test's private event loop.
    with open(target, "wb") as out:  # noqa: ASYNC230
        async for batch in stream:
            if _ZEROS[: len(batch)] == batch:
                out.seek(len(batch), os.SEEK_CUR)
            else:
                out.write(batch)
            written += len(batch)
        out.truncate(written)
    return written


def test_a_format_can_be_asked_for_when_a_track_has_several_files(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    track = SavedTrackFactory.create(user=user).track
    put_file(track, "A/B/song.opus", audio_format="original")
    put_file(track, "A/B/song.mp3", audio_format="mp3")

    _, default = _zip(signed_in.get("/zip/liked/"))
    _, asked = _zip(signed_in.get("/zip/liked/?format=mp3"))
    _, unknown = _zip(signed_in.get("/zip/liked/?format=nope"))

    assert "A/B/song.opus" in default.namelist()
    assert "A/B/song.mp3" in asked.namelist()
    assert "A/B/song.opus" in unknown.namelist()
