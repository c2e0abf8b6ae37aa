"""Jobs reach only what the person may see: their library, or Spotify asked with their token.

B's answer for any track, album or artist id is the same whether or not A has it: the same
status and the same words, so the shared catalog tells B nothing about A.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from downloads.models import Job
from sandbox import Sandbox
from tests.factories import (
    AlbumFactory,
    ArtistFactory,
    PlaylistFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    TrackFactory,
    UserPlaylistFactory,
)
from tests.support.catalog import editorial_tracks
from tests.support.signing_in import SignIn

pytestmark = [pytest.mark.django_db]

# Well-formed ids the sandbox's Spotify has never heard of.
A_ONLY = {"track": "aOnlyTrack000000000001", "album": "aOnlyAlbum000000000001"}
NOBODYS = {"track": "nobodysTrack0000000001", "album": "nobodysAlbum0000000001"}


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer(user: Any, kind: str, target: str) -> tuple[int, list[str]]:
    response = client_of(user).post(
        "/downloads/new/", {"kind": kind, "target": target, "audio_format": "original"}
    )
    form = response.context["form"] if response.status_code != 302 else None
    return response.status_code, list(form.non_field_errors()) if form else []


@pytest.fixture
def ana(sign_in: SignIn) -> Any:
    return sign_in("ana")


@pytest.fixture
def ben(sign_in: SignIn) -> Any:
    return sign_in("ben")


def _as_library(ana: Any) -> dict[str, str]:
    """A track, an album and an artist only in A's library (Spotify does not know the ids)."""
    artist = ArtistFactory.create(spotify_id="aOnlyArtist00000000001")
    album = AlbumFactory.create(spotify_id=A_ONLY["album"])
    track = TrackFactory.create(spotify_id=A_ONLY["track"], album=album, artists=[artist])
    SavedTrackFactory.create(user=ana, track=track)
    SavedAlbumFactory.create(user=ana, album=album)
    return {**A_ONLY, "artist": artist.spotify_id}


def test_bs_answer_for_an_id_only_a_has_is_the_answer_for_an_unknown_id(ana: Any, ben: Any) -> None:
    as_ids = _as_library(ana)
    unknown = {**NOBODYS, "artist": "nobodysArtist000000001"}

    for kind in ("track", "album", "artist"):
        theirs, nobodys = answer(ben, kind, as_ids[kind]), answer(ben, kind, unknown[kind])
        assert theirs == nobodys, kind
        assert theirs[0] == 400 and theirs[1] == [
            f"We found no such {kind} in your library or on Spotify."
        ]
    assert not Job.objects.filter(owner=ben).exists()
    # A, whose library holds them, can download each of them.
    for kind in ("track", "album", "artist"):
        assert answer(ana, kind, as_ids[kind])[0] == 302, kind


def test_a_public_track_or_album_link_works_with_bs_own_token_whoever_else_has_it(
    spotify: Sandbox, ana: Any, ben: Any
) -> None:
    track = editorial_tracks(spotify)[0]

    status, errors = answer(ben, "track", f"https://open.spotify.com/track/{track.id}")
    assert (status, errors) == (302, [])
    status, errors = answer(ben, "album", f"https://open.spotify.com/album/{track.album.id}")
    assert (status, errors) == (302, [])

    jobs = Job.objects.filter(owner=ben).order_by("pk")
    assert [(j.kind, j.target_id) for j in jobs] == [
        ("track", track.id),
        ("album", track.album.id),
    ]
    assert jobs[1].items.count() == len(track.album.tracks)


def test_b_cannot_start_a_job_for_as_private_playlist(ana: Any, ben: Any) -> None:
    membership = UserPlaylistFactory.create(user=ana, playlist=PlaylistFactory.create(public=False))
    track = TrackFactory.create()
    membership.playlist.entries.create(track=track, position=0)

    theirs = answer(ben, "playlist", membership.playlist.spotify_id)
    nobodys = answer(ben, "playlist", "nobodysPlaylist0000001")

    assert theirs == nobodys
    assert theirs[0] == 400
    assert not Job.objects.filter(owner=ben).exists()


def test_an_artist_job_gathers_only_the_tracks_the_person_may_see(ana: Any, ben: Any) -> None:
    artist = ArtistFactory.create()
    as_track = TrackFactory.create(artists=[artist])
    bens_track = TrackFactory.create(artists=[artist])
    SavedTrackFactory.create(user=ana, track=as_track)
    SavedTrackFactory.create(user=ben, track=bens_track)

    assert answer(ben, "artist", artist.spotify_id)[0] == 302

    job = Job.objects.get(owner=ben)
    assert list(job.items.values_list("track_id", flat=True)) == [bens_track.pk]
