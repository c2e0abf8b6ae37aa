from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from library.models import LibraryRefresh, SavedTrack, SpotifyAccount, UserPlaylist
from library.refresh.service import library_refresh, library_refresh_create
from library.spotify import close_http_client
from library.spotify.paging import gather_all
from library.tasks import library_refresh_resume
from sandbox import Sandbox
from tests.support.signing_in import SignInWithClient

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def two_signed_in(sign_in_with_client: SignInWithClient, spotify: Sandbox) -> tuple[Client, Client]:
    """Ana and Ben signed in at the same time, their libraries read at the same time."""
    ana, ben = Client(), Client()
    sign_in_with_client(ana, "ana")
    sign_in_with_client(ben, "ben")
    ids = [library_refresh_create(user=a.user)[0].pk for a in SpotifyAccount.objects.all()]

    async def read_both() -> None:
        await gather_all(
            [library_refresh(refresh_id=i, resume=library_refresh_resume) for i in ids]
        )
        await close_http_client()

    async_to_sync(read_both)()
    assert set(LibraryRefresh.objects.values_list("status", flat=True)) == {"succeeded"}
    return ana, ben


def spotify_ids_of_liked(user_key: str, spotify: Sandbox) -> set[str]:
    account = SpotifyAccount.objects.get(spotify_id=spotify.user(user_key).id)
    return set(
        SavedTrack.objects.filter(user=account.user).values_list("track__spotify_id", flat=True)
    )


def test_each_persons_liked_songs_are_exactly_their_own(
    two_signed_in: tuple[Client, Client], spotify: Sandbox
) -> None:
    assert spotify_ids_of_liked("ana", spotify) == set(spotify.user_library("ana")["liked"])
    assert spotify_ids_of_liked("ben", spotify) == set(spotify.user_library("ben")["liked"])


def test_each_person_sees_their_own_name_and_counts(
    two_signed_in: tuple[Client, Client], spotify: Sandbox
) -> None:
    ana, ben = two_signed_in

    ana_home, ben_home = ana.get("/").content.decode(), ben.get("/").content.decode()

    assert "Ana Edge" in ana_home and "Ben Small" not in ana_home
    assert "Ben Small" in ben_home and "Ana Edge" not in ben_home
    ana_liked = len(spotify.user_library("ana")["liked"])
    assert f"<strong>{ana_liked}</strong> liked songs" in ana_home


def test_a_playlist_only_one_of_them_has_is_not_found_for_the_other(
    two_signed_in: tuple[Client, Client], spotify: Sandbox
) -> None:
    ana, ben = two_signed_in
    anas = {p["id"] for p in spotify.user_library("ana")["playlists"]}
    bens_own = next(p for p in spotify.user_library("ben")["playlists"] if p["id"] not in anas)

    assert ben.get(f"/library/playlists/{bens_own['id']}/").status_code == 200
    assert ana.get(f"/library/playlists/{bens_own['id']}/").status_code == 404
    assert bens_own["name"] not in ana.get("/library/").content.decode()


def test_a_shared_playlist_is_readable_for_its_owner_and_unreadable_for_a_follower(
    two_signed_in: tuple[Client, Client], spotify: Sandbox
) -> None:
    ben_id = spotify.user("ben").id
    followed = next(
        p
        for p in spotify.user_library("ana")["playlists"]
        if p["owner_id"] == ben_id and not p["readable"]
    )

    memberships = UserPlaylist.objects.filter(playlist__spotify_id=followed["id"])

    readable = {
        SpotifyAccount.objects.get(user_id=m.user_id).spotify_id: m.readable for m in memberships
    }
    assert readable == {ben_id: True, spotify.user("ana").id: False}
