from __future__ import annotations

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from library.models import LibraryRefresh, SpotifyAccount
from library.oauth import PENDING_KEY, SCOPES
from sandbox import Sandbox
from tests.support.signing_in import SignInWithClient

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_sign_in_button_sends_the_browser_to_spotify_with_pkce_state_and_minimal_scopes(
    client: Client, spotify: Sandbox
) -> None:
    response = client.post("/login/")

    url = httpx.URL(response["Location"])
    assert response.status_code == 302
    assert str(url).startswith(f"{spotify.accounts_url}/authorize?")
    assert url.params["code_challenge_method"] == "S256"
    assert url.params["state"] in client.session[PENDING_KEY]
    assert set(url.params["scope"].split()) == set(SCOPES)
    assert set(SCOPES) == {
        "user-library-read",
        "playlist-read-private",
        "playlist-read-collaborative",
        "user-read-recently-played",
        "user-top-read",
        "user-follow-read",
    }


def test_signing_in_creates_one_user_per_spotify_account_and_starts_reading_the_library(
    client: Client, sign_in_with_client: SignInWithClient
) -> None:
    response = sign_in_with_client(client, "ana")

    account = SpotifyAccount.objects.get()
    assert response.status_code == 302 and response["Location"] == "/"
    assert account.display_name == "Ana Edge"
    assert account.user.first_name == "Ana Edge"
    assert client.get("/").context["user"] == account.user
    assert LibraryRefresh.objects.filter(user=account.user).count() == 1


def test_signing_in_again_reuses_the_same_user(
    client: Client, sign_in_with_client: SignInWithClient
) -> None:
    sign_in_with_client(client, "ana")
    client.post("/logout/")
    sign_in_with_client(client, "ana")

    assert User.objects.count() == 1
    assert SpotifyAccount.objects.count() == 1


def test_the_account_is_keyed_by_spotifys_account_id(
    client: Client, sign_in_with_client: SignInWithClient, spotify: Sandbox
) -> None:
    sign_in_with_client(client, "ben")

    account = SpotifyAccount.objects.get()
    assert account.account_key == spotify.user("ben").account_id
    assert account.spotify_id == spotify.user("ben").id


def test_the_display_name_is_shown_in_the_header(
    client: Client, sign_in_with_client: SignInWithClient
) -> None:
    sign_in_with_client(client, "ben")

    page = client.get("/").content.decode()

    assert "Ben Small" in page
    assert "Sign out" in page


def test_denied_consent_shows_a_friendly_page_with_a_try_again_button(
    client: Client, spotify: Sandbox
) -> None:
    start = client.post("/login/")
    state = httpx.URL(start["Location"]).params["state"]

    response = client.get("/callback/", {"error": "access_denied", "state": state})

    assert response.status_code == 200
    assert "You did not connect Spotify" in response.content.decode()
    assert "Try again" in response.content.decode()
    assert not SpotifyAccount.objects.exists()


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(
    client: Client, spotify: Sandbox
) -> None:
    client.post("/login/")

    response = client.get("/callback/", {"code": "anything", "state": "forged-state"})

    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert not SpotifyAccount.objects.exists()


def test_a_state_can_be_used_only_once(
    client: Client, sign_in_with_client: SignInWithClient, spotify: Sandbox
) -> None:
    spotify.knobs.auto_consent = "ana"
    start = client.post("/login/")
    answer = httpx.get(start["Location"])
    params = dict(httpx.URL(answer.headers["Location"]).params)
    client.get("/callback/", params)
    client.post("/logout/")

    replay = client.get("/callback/", params)

    assert replay.status_code == 400


def test_an_invalid_code_asks_to_sign_in_again(client: Client, spotify: Sandbox) -> None:
    start = client.post("/login/")
    state = httpx.URL(start["Location"]).params["state"]

    response = client.get("/callback/", {"code": "not-a-real-code", "state": state})

    assert response.status_code == 400
    assert "expired or was already used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_code_asks_to_sign_in_again(client: Client, spotify: Sandbox) -> None:
    spotify.knobs.auto_consent = "ana"
    start = client.post("/login/")
    answer = httpx.get(start["Location"])
    spotify.clock.advance(spotify.knobs.code_lifetime + 1)

    response = client.get("/callback/", dict(httpx.URL(answer.headers["Location"]).params))

    assert response.status_code == 400
    assert "expired or was already used" in response.content.decode()


def test_sign_out_needs_a_post_with_a_csrf_token(
    client: Client, sign_in_with_client: SignInWithClient
) -> None:
    sign_in_with_client(client, "ana")
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies

    assert strict.get("/logout/").status_code == 405
    assert strict.post("/logout/").status_code == 403
    assert "_auth_user_id" in strict.session


def test_signing_out_ends_the_session(
    client: Client, sign_in_with_client: SignInWithClient
) -> None:
    sign_in_with_client(client, "ana")

    response = client.post("/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_login_page_offers_the_spotify_button(client: Client) -> None:
    page = client.get("/login/").content.decode()

    assert "Sign in with Spotify" in page


def test_the_home_page_offers_anonymous_visitors_the_spotify_button(client: Client) -> None:
    page = client.get("/").content.decode()

    assert "Sign in with Spotify" in page
