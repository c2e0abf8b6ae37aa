"""Sign-in attacks that tests/library/test_sign_in.py does not cover: callbacks without a state,
with another browser's state or another sign-in's code, reused codes, stale sign-ins, Spotify's
error text echoed back, and open redirects through `next` and the Referer."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from django.test import Client

from library.models import SpotifyAccount
from library.oauth import PENDING_KEY
from sandbox import Sandbox
from tests.support.signing_in import SignIn, SignInWithClient

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _start(client: Client) -> httpx.URL:
    response = client.post("/login/")
    assert response.status_code == 302
    return httpx.URL(response["Location"])


def _consent(spotify: Sandbox, authorize: httpx.URL, user_key: str = "ana") -> dict[str, str]:
    """Spotify's answer to an authorize URL (consent given): the callback's parameters."""
    spotify.knobs.auto_consent = user_key
    answer = httpx.get(str(authorize), follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    return dict(httpx.URL(answer.headers["Location"]).params)


def _refused(response: Any, client: Client) -> None:
    assert response.status_code == 400, response.status_code
    assert "_auth_user_id" not in client.session
    assert b"Sign in" in response.content or b"sign in" in response.content


@pytest.mark.parametrize(
    "params", [{}, {"code": "abc"}, {"code": "abc", "state": ""}, {"error": "access_denied"}]
)
def test_a_callback_without_a_state_is_refused(
    params: dict[str, str], client: Client, spotify: Sandbox
) -> None:
    _start(client)

    _refused(client.get("/callback/", params), client)
    assert not SpotifyAccount.objects.exists()


def test_a_callback_carried_to_another_browser_is_refused_there_and_still_works_at_home(
    client: Client, spotify: Sandbox
) -> None:
    params = _consent(spotify, _start(client))
    elsewhere = Client()

    _refused(elsewhere.get("/callback/", params), elsewhere)

    home = client.get("/callback/", params)
    assert (home.status_code, home["Location"]) == (302, "/")
    assert "_auth_user_id" in client.session


def test_a_used_code_is_refused_even_with_a_fresh_state(
    client: Client, sign_in_with_client: SignInWithClient, spotify: Sandbox
) -> None:
    params = _consent(spotify, _start(client))
    assert client.get("/callback/", params).status_code == 302
    client.post("/logout/")
    fresh = _start(client)

    response = client.get("/callback/", {"code": params["code"], "state": fresh.params["state"]})

    _refused(response, client)
    assert "expired or was already used" in response.content.decode()


def test_the_code_of_one_sign_in_with_the_state_of_another_is_refused(
    client: Client, spotify: Sandbox
) -> None:
    first, second = _start(client), _start(client)  # two tabs: two states, two PKCE verifiers
    params = _consent(spotify, first)

    _refused(client.get("/callback/", {**params, "state": second.params["state"]}), client)
    assert not SpotifyAccount.objects.exists()


def test_a_sign_in_left_pending_too_long_is_refused(client: Client, spotify: Sandbox) -> None:
    authorize = _start(client)
    params = _consent(spotify, authorize)
    session = client.session
    pending = session[PENDING_KEY]
    pending[authorize.params["state"]]["at"] = time.time() - 16 * 60
    session[PENDING_KEY] = pending
    session.save()

    _refused(client.get("/callback/", params), client)


def test_spotifys_error_text_is_shown_as_text_not_markup(client: Client, spotify: Sandbox) -> None:
    state = _start(client).params["state"]

    response = client.get("/callback/", {"state": state, "error": "<script>alert(1)</script>"})

    assert response.status_code == 400
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


# --- open redirects -----------------------------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    " //evil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(document.domain)",
]


def _stays_home(location: str, *also: str) -> bool:
    """A redirect that cannot leave the app (or the named hosts, e.g. Spotify's). What a query
    string carries along (login_required's own `next`) is not followed by anything."""
    if location.startswith(("//", "/\\", "\\", " ")):
        return False
    parts = urlsplit(location)
    if parts.scheme not in ("", "http", "https"):
        return False
    return not parts.netloc or parts.netloc in {"testserver", *also}


@pytest.mark.parametrize("target", EVIL)
def test_next_never_sends_anyone_to_another_site(
    target: str, client: Client, spotify: Sandbox, sign_in_with_client: SignInWithClient
) -> None:
    spotify_host = urlsplit(spotify.accounts_url).netloc
    start = client.post(f"/login/?next={target}", {"next": target})
    assert _stays_home(start["Location"], spotify_host)
    params = _consent(spotify, httpx.URL(start["Location"]))
    signed_in = client.get("/callback/", {**params, "next": target})
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/")
    again = client.get("/login/", {"next": target})
    assert again.status_code == 302 and _stays_home(again["Location"])
    anonymous = Client().get("/downloads/", {"next": target})
    assert _stays_home(anonymous["Location"])
    out = client.post(f"/logout/?next={target}", {"next": target})
    assert out.status_code == 302 and _stays_home(out["Location"])


@pytest.mark.parametrize("target", EVIL)
def test_the_keep_in_sync_button_only_goes_back_to_this_site(
    target: str, client: Client, user: Any
) -> None:
    client.force_login(user)

    evil = client.post("/sync/subscribe/", {"what": "liked", "next": target})
    safe = client.post("/sync/subscribe/", {"what": "albums", "next": "/library/"})

    assert evil.status_code == 302 and _stays_home(evil["Location"])
    assert (safe.status_code, safe["Location"]) == (302, "/library/")  # `next` does work


def test_the_spotify_problem_page_links_back_only_to_this_site(
    client: Client, sign_in: SignIn, spotify: Sandbox
) -> None:
    ana = sign_in("ana")
    client.force_login(ana)
    # Spotify cannot answer about the album: the problem page links back.
    spotify.knobs.fail_next(2, "quota", path="/albums/")
    url = "/library/albums/0123456789abcdefghijkl/download/"
    form = {"kind": "album", "target": "0123456789abcdefghijkl", "audio_format": "original"}

    evil = client.post(url, form, headers={"Referer": "https://evil.example/library/"})
    home = client.post(url, form, headers={"Referer": "http://testserver/library/artists/"})

    assert evil.status_code == home.status_code == 502
    assert b"evil.example" not in evil.content
    assert b"/library/artists/" in home.content  # the back link itself works
