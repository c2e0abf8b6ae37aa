"""A person gets only what is in their own library or their own jobs; the rest is a 404."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from downloads.models import StoredFile
from library.models import Track
from tests.factories import (
    AlbumFactory,
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    StoredFileFactory,
    TrackFactory,
    UserPlaylistFactory,
)
from tests.support.files import PutFile
from tests.support.responses import body


def _file_urls(stored: StoredFile) -> list[str]:
    return [f"/files/{stored.pk}/", f"/files/{stored.pk}/stream/"]


@pytest.fixture
def others_things(other: Any, put_file: PutFile) -> dict[str, Any]:
    """Bo's playlist, liked song, saved album and job, each with a file on disk."""
    membership = UserPlaylistFactory.create(user=other)
    in_playlist = PlaylistEntryFactory.create(playlist=membership.playlist).track
    liked = SavedTrackFactory.create(user=other).track
    album = SavedAlbumFactory.create(user=other).album
    in_album = TrackFactory.create(album=album)
    job = JobFactory.create(finished=True, owner=other)
    in_job = JobItemFactory.create(done=True, job=job).track
    files = [
        put_file(track, f"Bo/{index}.opus")
        for index, track in enumerate([in_playlist, liked, in_album, in_job])
    ]
    return {"playlist": membership.playlist, "album": album, "job": job, "files": files}


def test_another_persons_files_streams_zips_and_players_answer_404(
    signed_in: Client, others_things: dict[str, Any]
) -> None:
    playlist, album, job = others_things["playlist"], others_things["album"], others_things["job"]
    track_ids = [stored.track.spotify_id for stored in others_things["files"]]
    urls = [url for stored in others_things["files"] for url in _file_urls(stored)]
    urls += [
        f"/zip/playlists/{playlist.spotify_id}/",
        f"/zip/albums/{album.spotify_id}/",
        f"/zip/jobs/{job.pk}/",
        "/zip/selection/?" + "&".join(f"track={spotify_id}" for spotify_id in track_ids),
        f"/play/playlists/{playlist.spotify_id}/",
        f"/play/albums/{album.spotify_id}/",
        f"/play/jobs/{job.pk}/",
    ]

    statuses = {url: signed_in.get(url).status_code for url in urls}

    assert statuses == dict.fromkeys(urls, 404)


def test_another_persons_tracks_are_left_out_of_my_selection(
    signed_in: Client, user: Any, others_things: dict[str, Any], put_file: PutFile
) -> None:
    mine = SavedTrackFactory.create(user=user).track
    put_file(mine, "Ana/mine.opus")
    theirs = others_things["files"][0].track

    response = signed_in.post("/zip/selection/", {"track": [mine.spotify_id, theirs.spotify_id]})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="Selection of 1 track')


def test_anonymous_people_are_sent_to_sign_in(
    client: Client, others_things: dict[str, Any]
) -> None:
    stored = others_things["files"][0]
    urls = [*_file_urls(stored), "/zip/liked/", "/play/liked/", "/zip/selection/"]

    responses = [client.get(url) for url in urls]

    assert [r.status_code for r in responses] == [302] * len(urls)
    assert all(r["Location"].startswith("/?next=") for r in responses)


Grant = Callable[[Any, Track], None]


def _via_playlist(user: Any, track: Track) -> None:
    PlaylistEntryFactory.create(
        playlist=UserPlaylistFactory.create(user=user).playlist, track=track
    )


def _via_like(user: Any, track: Track) -> None:
    SavedTrackFactory.create(user=user, track=track)


def _via_saved_album(user: Any, track: Track) -> None:
    SavedAlbumFactory.create(user=user, album=track.album)


def _via_job(user: Any, track: Track) -> None:
    JobItemFactory.create(done=True, job=JobFactory.create(finished=True, owner=user), track=track)


@pytest.mark.parametrize(
    "grant",
    [_via_playlist, _via_like, _via_saved_album, _via_job],
    ids=["playlist", "liked", "saved-album", "own-job"],
)
def test_a_track_of_my_library_or_my_job_can_be_fetched(
    signed_in: Client, user: Any, put_file: PutFile, grant: Grant
) -> None:
    track = TrackFactory.create(album=AlbumFactory.create())
    stored = put_file(track, "A/B/song.opus", b"tune")
    grant(user, track)

    responses = [signed_in.get(url) for url in _file_urls(stored)]

    assert [r.status_code for r in responses] == [200, 200]
    assert [body(r) for r in responses] == [b"tune", b"tune"]


def test_an_unreadable_playlist_gives_none_of_its_tracks(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    membership = UserPlaylistFactory.create(user=user, readable=False)
    track = PlaylistEntryFactory.create(playlist=membership.playlist).track
    stored = put_file(track, "A/B/song.opus")
    spotify_id = membership.playlist.spotify_id

    statuses = [
        signed_in.get(url).status_code
        for url in [*_file_urls(stored), f"/zip/playlists/{spotify_id}/"]
    ]

    assert statuses == [404, 404, 404]


def test_a_stored_path_outside_the_music_folder_is_never_opened(
    signed_in: Client, user: Any, music_root: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not music")
    (music_root / "link.opus").symlink_to(secret)
    relative_escape = os.path.relpath(secret, music_root)
    files = [
        StoredFileFactory.create(track=SavedTrackFactory.create(user=user).track, path=path)
        for path in [relative_escape, str(secret), "link.opus"]
    ]

    responses = [signed_in.get(url) for stored in files for url in _file_urls(stored)]
    zip_response = signed_in.get("/zip/liked/")

    assert [r.status_code for r in responses] == [404] * 6
    assert b"not music" not in zip_response.content  # the "nothing downloaded" page
    assert zip_response["Content-Type"].startswith("text/html")


def test_a_file_gone_from_disk_answers_404(signed_in: Client, user: Any, put_file: PutFile) -> None:
    stored = put_file(SavedTrackFactory.create(user=user).track, "A/B/gone.opus")
    stored.absolute_path.unlink()

    assert [signed_in.get(url).status_code for url in _file_urls(stored)] == [404, 404]
