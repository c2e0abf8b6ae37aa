"""The player pages list what is on disk, in order, with what to do about the rest."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.test import Client

from tests.factories import (
    AlbumFactory,
    ArtistFactory,
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    TrackFactory,
    UserPlaylistFactory,
)
from tests.support.files import PutFile


def test_a_playlist_player_lists_the_downloaded_tracks_in_order(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    playlist = UserPlaylistFactory.create(user=user, playlist__name="Mix").playlist
    artist = ArtistFactory.create(name="Björk")
    tracks = [TrackFactory.create(name=name, artists=[artist]) for name in ["B", "A", "Gone"]]
    for track in tracks:
        PlaylistEntryFactory.create(playlist=playlist, track=track)
    second = put_file(tracks[1], "x/a.opus")
    first = put_file(tracks[0], "x/b.opus")

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
    playlist = UserPlaylistFactory.create(user=user).playlist
    PlaylistEntryFactory.create(playlist=playlist)

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
