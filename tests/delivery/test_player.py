"""The player pages list what is on disk, in order, with what to do about the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models.signals import post_init
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from downloads.delivery.files import locate, present
from downloads.models import AudioFormat, JobItem, StoredFile
from library.models import PlaylistEntry, Track
from spotifydl.paging import TRACKS_PER_PAGE
from tests.factories import (
    AlbumFactory,
    ArtistFactory,
    JobFactory,
    JobItemFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    StoredFileFactory,
    TrackFactory,
    UserPlaylistFactory,
)
from tests.support.files import PutFile, playlist_with_files


def test_a_playlist_player_lists_the_downloaded_tracks_in_order(
    signed_in: Client, user: Any
) -> None:
    artist = ArtistFactory.create(name="Björk")
    tracks = [TrackFactory.create(name=name, artists=[artist]) for name in ["B", "A", "Gone"]]
    on_disk = {tracks[1]: "x/a.opus", tracks[0]: "x/b.opus"}
    playlist, (second, first) = playlist_with_files(user, tracks, files=on_disk)

    response = signed_in.get(f"/play/playlists/{playlist.spotify_id}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert page.index(f'data-src="/files/{first.pk}/stream/"') < page.index(
        f'data-src="/files/{second.pk}/stream/"'
    )
    assert 'aria-label="Play B by Björk"' in page
    assert f'href="/files/{first.pk}/"' in page
    assert f'href="/zip/playlists/{playlist.spotify_id}/"' in page
    assert "2 tracks on disk · 1 not downloaded" in page
    assert 'name="kind" value="playlist"' in page  # download the missing one
    assert "js/player" in page


def test_liked_songs_and_album_players_list_their_files(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    liked = put_file(SavedTrackFactory.create(user=user).track, "l/liked.opus")
    album = AlbumFactory.create(name="Homogenic")
    SavedAlbumFactory.create(user=user, album=album)
    in_album = put_file(TrackFactory.create(album=album), "a/album.opus")

    liked_page = signed_in.get("/play/liked/").content.decode()
    album_page = signed_in.get(f"/play/albums/{album.spotify_id}/").content.decode()

    assert f"/files/{liked.pk}/stream/" in liked_page
    assert "Liked Songs" in liked_page
    assert f"/files/{in_album.pk}/stream/" in album_page
    assert "1 track on disk" in album_page


def test_a_job_player_with_missing_tracks_points_to_the_job(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    job = JobFactory.create(finished=True, owner=user, title="Road trip")
    done = JobItemFactory.create(done=True, job=job).track
    JobItemFactory.create(job=job, status="failed")
    stored = put_file(done, "j/done.opus")

    page = signed_in.get(f"/play/jobs/{job.pk}/").content.decode()

    assert f"/files/{stored.pk}/stream/" in page
    assert f'href="/downloads/{job.pk}/"' in page
    assert "1 not downloaded" in page


def test_a_player_with_nothing_on_disk_says_so(signed_in: Client, user: Any) -> None:
    playlist, _ = playlist_with_files(user)

    page = signed_in.get(f"/play/playlists/{playlist.spotify_id}/").content.decode()

    assert "Nothing here is downloaded yet." in page
    assert "<audio" not in page
    assert 'name="kind" value="playlist"' in page


def test_the_actions_partial_links_every_kind_to_its_player_and_zip(db: None) -> None:
    rendered = {
        kind: render_to_string(
            "delivery/_collection_actions.html", {"kind": kind, "target": target}
        )
        for kind, target in [("job", 7), ("playlist", "p1"), ("album", "a1"), ("liked", "")]
    }

    assert 'href="/play/jobs/7/"' in rendered["job"]
    assert 'href="/zip/jobs/7/"' in rendered["job"]
    assert 'href="/play/playlists/p1/"' in rendered["playlist"]
    assert 'href="/zip/albums/a1/"' in rendered["album"]
    assert 'href="/zip/liked/"' in rendered["liked"]


def _long_playlist(user: Any, music_root: Path, count: int) -> Any:
    """A playlist of `count` tracks, every one on disk, made in bulk."""
    playlist = UserPlaylistFactory.create(user=user, playlist__name=f"{count} songs").playlist
    tag = f"n{count}x"
    tracks = Track.objects.bulk_create(
        Track(spotify_id=f"{tag}{i}", name=f"Song {i}", duration_ms=200_000) for i in range(count)
    )
    PlaylistEntry.objects.bulk_create(
        PlaylistEntry(playlist=playlist, position=i, track=track) for i, track in enumerate(tracks)
    )
    folder = music_root / tag
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"{i}.opus").write_bytes(b"x")
    StoredFile.objects.bulk_create(
        StoredFile(track=track, audio_format=AudioFormat.ORIGINAL, path=f"{tag}/{i}.opus")
        for i, track in enumerate(tracks)
    )
    return playlist


def test_a_player_page_weighs_the_same_at_a_thousand_tracks_as_at_a_hundred(
    signed_in: Client, user: Any, music_root: Path
) -> None:
    small = _long_playlist(user, music_root, TRACKS_PER_PAGE)
    large = _long_playlist(user, music_root, 10 * TRACKS_PER_PAGE)

    small_page = signed_in.get(f"/play/playlists/{small.spotify_id}/").content
    large_page = signed_in.get(f"/play/playlists/{large.spotify_id}/").content
    last_page = signed_in.get(f"/play/playlists/{large.spotify_id}/?page=10").content.decode()

    assert len(large_page) < len(small_page) + 1_000  # the pager, longer numbers
    assert len(large_page) < 100_000
    assert large_page.count(b"data-player-track ") == TRACKS_PER_PAGE
    assert f'data-index="{10 * TRACKS_PER_PAGE - 1}"' in last_page  # its place in the whole queue
    assert f'data-player-total="{10 * TRACKS_PER_PAGE}"' in last_page
    assert 'rel="prev" href="/play/playlists/' in last_page


def _played_job(user: Any, music_root: Path, count: int) -> Any:
    """A finished job of `count` tracks, every one on disk, made in bulk."""
    job = JobFactory.create(finished=True, owner=user)
    tracks = Track.objects.bulk_create(
        Track(spotify_id=f"j{job.pk}x{i}", name=f"Song {i}", duration_ms=200_000)
        for i in range(count)
    )
    (music_root / f"j{job.pk}").mkdir(parents=True)
    files = StoredFile.objects.bulk_create(
        StoredFile(track=track, audio_format=AudioFormat.ORIGINAL, path=f"j{job.pk}/{i}.opus")
        for i, track in enumerate(tracks)
    )
    for stored in files:
        (music_root / stored.path).write_bytes(b"x")
    JobItem.objects.bulk_create(
        JobItem(job=job, track=s.track, position=i, status="done", stored_file=s)
        for i, s in enumerate(files)
    )
    return job


def test_a_job_player_page_reads_only_its_files_in_the_same_few_queries_at_any_size(
    signed_in: Client, user: Any, music_root: Path, django_assert_max_num_queries: Any
) -> None:
    small = _played_job(user, music_root, 3)
    large = _played_job(user, music_root, 3 * TRACKS_PER_PAGE)
    with CaptureQueriesContext(connection) as at_three:
        signed_in.get(f"/play/jobs/{small.pk}/")

    loaded: list[StoredFile] = []

    def count(sender: Any, instance: StoredFile, **kwargs: Any) -> None:
        loaded.append(instance)

    post_init.connect(count, sender=StoredFile)
    try:
        with django_assert_max_num_queries(len(at_three.captured_queries)):
            page = signed_in.get(f"/play/jobs/{large.pk}/?page=2").content.decode()
    finally:
        post_init.disconnect(count, sender=StoredFile)

    assert len(loaded) == TRACKS_PER_PAGE  # the page's own files, not the job's
    assert page.count("data-player-track ") == TRACKS_PER_PAGE
    assert f'data-index="{TRACKS_PER_PAGE}"' in page  # its place in the whole queue
    assert f'data-player-total="{3 * TRACKS_PER_PAGE}"' in page
    assert f"{3 * TRACKS_PER_PAGE} tracks on disk" in page


def test_the_player_finds_the_files_locate_finds_links_and_all(
    db: None, music_root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / "x").mkdir(parents=True)
    (outside / "x" / "song.opus").write_bytes(b"OggS")
    (music_root / "A" / "B").mkdir(parents=True)
    for name in ("plain.opus", "twice.opus"):
        (music_root / "A" / "B" / name).write_bytes(b"OggS")
    (music_root / "Linked").symlink_to(music_root / "A")  # a folder link that stays inside
    (music_root / "Out").symlink_to(outside)  # one that leaves the music folder
    (music_root / "A" / "B" / "away.opus").symlink_to(outside / "x" / "song.opus")
    (music_root / "A" / "B" / "alias.opus").symlink_to(music_root / "A" / "B" / "plain.opus")
    paths = {
        "A/B/plain.opus": True,
        "Linked/B/twice.opus": True,
        "A/B/alias.opus": True,
        "Out/x/song.opus": False,
        "A/B/away.opus": False,
        "A/B/missing.opus": False,
        "A/B": False,  # a folder, not a file
        "A/B/plain.opus/more.opus": False,
        "A/../A/B/plain.opus": True,  # judged where it lands, as the file views judge it
        str(music_root / "A" / "B" / "plain.opus"): False,
    }
    files = [StoredFileFactory.create(path=path) for path in paths]

    found = present(files, music_root)

    assert {f.path for f in files if f.pk in found} == {p for p, there in paths.items() if there}
    assert found == {f.pk for f in files if locate(f, music_root) is not None}
