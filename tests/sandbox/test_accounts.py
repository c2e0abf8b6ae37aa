"""Spotify Accounts in the sandbox: consent page, code flow (PKCE and secret), refresh rules."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import urllib.parse
from typing import Any

import httpx
import pytest
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyOAuth, SpotifyOauthError, SpotifyPKCE

from sandbox import Sandbox
from tests.support.spotify import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI

SCOPE = "user-library-read playlist-read-private playlist-read-collaborative user-follow-read"


def pointed_at(manager: SpotifyPKCE | SpotifyOAuth, sb: Sandbox) -> SpotifyPKCE | SpotifyOAuth:
    # On the instance only: the class attributes stay Spotify's.
    manager.OAUTH_AUTHORIZE_URL = f"{sb.accounts_url}/authorize"
    manager.OAUTH_TOKEN_URL = f"{sb.accounts_url}/api/token"
    return manager


def consent(sb: Sandbox, authorize_url: str, action: str = "accept", user: str = "ana") -> str:
    """Opens the consent page and presses a button, like a person; returns the redirect."""
    with httpx.Client() as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200
        form_action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        tx = re.search(r'name="tx" value="([^"]+)"', page.text)
        assert form_action and tx
        answer = browser.post(
            sb.accounts_url + form_action[1], data={"tx": tx[1], "user": user, "action": action}
        )
    assert answer.status_code in (302, 303)
    return answer.headers["Location"]


def query_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorize_url(sb: Sandbox, **extra: str) -> str:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": "xyz",
    } | extra
    return f"{sb.accounts_url}/authorize?{urllib.parse.urlencode(params)}"


def pkce_code(sb: Sandbox, user: str = "ana") -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    url = authorize_url(sb, code_challenge=challenge, code_challenge_method="S256")
    return query_of(consent(sb, url, user=user))["code"], verifier


def token(sb: Sandbox, **form: str) -> httpx.Response:
    return httpx.post(f"{sb.accounts_url}/api/token", data=form)


def pkce_tokens(sb: Sandbox) -> dict[str, Any]:
    code, verifier = pkce_code(sb)
    answer = token(
        sb,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        client_id=CLIENT_ID,
        code_verifier=verifier,
    )
    assert answer.status_code == 200
    tokens: dict[str, Any] = answer.json()
    return tokens


def test_spotipy_pkce_sign_in_completes_and_pages_through_liked_songs(
    client_registered: Sandbox,
) -> None:
    sb = client_registered
    manager = pointed_at(
        SpotifyPKCE(
            client_id=CLIENT_ID,
            redirect_uri=REDIRECT_URI,
            scope=SCOPE,
            cache_handler=MemoryCacheHandler(),
            open_browser=False,
        ),
        sb,
    )
    location = consent(sb, manager.get_authorize_url(state="s1"))
    assert location.startswith(REDIRECT_URI)
    assert query_of(location)["state"] == "s1"
    manager.get_access_token(manager.parse_response_code(location), check_cache=False)

    client = spotipy.Spotify(auth_manager=manager, retries=0, status_retries=0)
    client.prefix = f"{sb.api_url}/"
    assert client.me()["account_id"] == sb.user("ana").account_id  # spotipy asks for "me/"
    page, liked = client.current_user_saved_tracks(limit=50), []
    while page:
        liked += [item["track"]["id"] for item in page["items"]]
        page = client.next(page)
    assert liked == sb.user_library("ana")["liked"]


def test_spotipy_pages_through_playlists_items_albums_and_followed_artists(
    client_registered: Sandbox,
) -> None:
    sb = client_registered
    access, _ = sb.issue_token("ana")
    client = spotipy.Spotify(auth=access, retries=0, status_retries=0)
    client.prefix = f"{sb.api_url}/"
    expected = sb.user_library("ana")
    playlists = client.current_user_playlists(limit=50)["items"]
    assert [p["id"] for p in playlists] == [p["id"] for p in expected["playlists"]]
    weird = expected["playlists"][0]
    page, seen = client.playlist_items(weird["id"], limit=50), []
    while page:
        seen += [(e["item"] or {}).get("id") for e in page["items"]]
        page = client.next(page)
    assert seen == [item["id"] for item in weird["items"]]
    album_id = client.track(expected["liked"][0])["album"]["id"]
    assert client.album_tracks(album_id)["items"]  # spotipy asks for "albums/{id}/tracks/"
    followed = client.current_user_followed_artists(limit=3)["artists"]
    names = []
    while followed:
        names += [a["id"] for a in followed["items"]]
        followed = client.next(followed)["artists"] if followed["next"] else None
    assert names == expected["followed_artists"]


def test_spotipy_confidential_sign_in_completes(client_registered: Sandbox) -> None:
    sb = client_registered
    manager = pointed_at(
        SpotifyOAuth(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri=REDIRECT_URI,
            scope=SCOPE,
            cache_handler=MemoryCacheHandler(),
            open_browser=False,
        ),
        sb,
    )
    location = consent(sb, manager.get_authorize_url(), user="ben")
    code = manager.parse_response_code(location)
    manager.get_access_token(code, as_dict=False, check_cache=False)
    info = manager.cache_handler.get_cached_token()
    assert info["expires_in"] == 3600
    assert info["refresh_token"]
    me = httpx.get(
        f"{sb.api_url}/me", headers={"Authorization": f"Bearer {info['access_token']}"}
    ).json()
    assert me["id"] == sb.user("ben").id


def test_the_consent_page_names_the_app_the_scopes_and_the_users(
    client_registered: Sandbox,
) -> None:
    _verifier, challenge = pkce_pair()
    page = httpx.get(
        authorize_url(client_registered, code_challenge=challenge, code_challenge_method="S256")
    ).text
    assert "spotifydl tests" in page
    assert "user-library-read" in page and "Access your saved content" in page
    for user in client_registered.users:
        assert f"value='{user.key}'" in page
    assert ">Agree<" in page and ">Cancel<" in page


def test_cancel_redirects_back_with_access_denied_and_the_state(
    client_registered: Sandbox,
) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(client_registered, code_challenge=challenge, code_challenge_method="S256")
    location = consent(client_registered, url, action="cancel")
    assert location.startswith(REDIRECT_URI)
    assert query_of(location) == {"error": "access_denied", "state": "xyz"}


def test_an_unknown_client_gets_an_error_page_and_no_redirect(sandbox: Sandbox) -> None:
    answer = httpx.get(
        f"{sandbox.accounts_url}/authorize?client_id=nope&response_type=code"
        f"&redirect_uri={REDIRECT_URI}"
    )
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "INVALID_CLIENT: Invalid client" in answer.text


def test_a_redirect_uri_must_match_exactly(client_registered: Sandbox) -> None:
    url = authorize_url(client_registered, redirect_uri=REDIRECT_URI.rstrip("/"))
    answer = httpx.get(url)
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "INVALID_CLIENT: Invalid redirect URI" in answer.text


def test_localhost_redirect_uris_are_refused_at_registration(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="not allowed"):
        sandbox.register_client("x", None, ["http://localhost:8000/callback"])


def test_a_plain_code_challenge_is_refused(client_registered: Sandbox) -> None:
    url = authorize_url(client_registered, code_challenge="a" * 43, code_challenge_method="plain")
    location = httpx.get(url).headers["Location"]
    assert query_of(location)["error"] == "invalid_request"
    assert query_of(location)["state"] == "xyz"


def test_an_unknown_scope_is_refused(client_registered: Sandbox) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(
        client_registered,
        scope="user-read-minds",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert query_of(httpx.get(url).headers["Location"])["error"] == "invalid_scope"


def test_a_code_works_once(client_registered: Sandbox) -> None:
    code, verifier = pkce_code(client_registered)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "code_verifier": verifier,
    }
    assert token(client_registered, **form).status_code == 200
    again = token(client_registered, **form)
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }


def test_a_code_expires_after_ten_minutes(client_registered: Sandbox) -> None:
    code, verifier = pkce_code(client_registered)
    client_registered.clock.advance(601)
    answer = token(
        client_registered,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        client_id=CLIENT_ID,
        code_verifier=verifier,
    )
    assert answer.json()["error"] == "invalid_grant"


def test_a_wrong_code_verifier_is_refused(client_registered: Sandbox) -> None:
    code, _ = pkce_code(client_registered)
    answer = token(
        client_registered,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        client_id=CLIENT_ID,
        code_verifier="x" * 50,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "code_verifier was incorrect",
    }


def test_a_wrong_client_secret_is_invalid_client(client_registered: Sandbox) -> None:
    answer = httpx.post(
        f"{client_registered.accounts_url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=(CLIENT_ID, "wrong"),
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Invalid client secret",
    }


def test_an_unknown_grant_type_is_refused(client_registered: Sandbox) -> None:
    answer = token(client_registered, grant_type="password", client_id=CLIENT_ID)
    assert answer.json()["error"] == "unsupported_grant_type"


def test_pkce_refresh_tokens_are_single_use_and_rotated(client_registered: Sandbox) -> None:
    first = pkce_tokens(client_registered)
    refreshed = token(
        client_registered,
        grant_type="refresh_token",
        client_id=CLIENT_ID,
        refresh_token=first["refresh_token"],
    )
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != first["refresh_token"]
    reused = token(
        client_registered,
        grant_type="refresh_token",
        client_id=CLIENT_ID,
        refresh_token=first["refresh_token"],
    )
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_confidential_refresh_tokens_are_reusable_and_not_sent_again(
    client_registered: Sandbox,
) -> None:
    _, refresh = client_registered.issue_token("ana", client_id=CLIENT_ID, pkce=False)
    for _ in range(2):
        answer = httpx.post(
            f"{client_registered.accounts_url}/api/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        assert answer.status_code == 200
        assert "refresh_token" not in answer.json()
        assert answer.json()["token_type"] == "Bearer"


def test_refresh_tokens_expire_after_their_lifetime(client_registered: Sandbox) -> None:
    client_registered.knobs.refresh_token_lifetime = 100
    _, refresh = client_registered.issue_token("ana", client_id=CLIENT_ID)
    client_registered.clock.advance(101)
    answer = token(
        client_registered, grant_type="refresh_token", client_id=CLIENT_ID, refresh_token=refresh
    )
    assert answer.json() == {"error": "invalid_grant", "error_description": "Refresh token expired"}


def test_revoked_refresh_tokens_are_refused(client_registered: Sandbox) -> None:
    _, refresh = client_registered.issue_token("ana", client_id=CLIENT_ID)
    assert client_registered.revoke_refresh_tokens("ana") == 1
    answer = token(
        client_registered, grant_type="refresh_token", client_id=CLIENT_ID, refresh_token=refresh
    )
    assert answer.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}


def test_spotipy_sees_a_revoked_refresh_token_as_an_oauth_error(client_registered: Sandbox) -> None:
    manager = pointed_at(
        SpotifyPKCE(
            client_id=CLIENT_ID,
            redirect_uri=REDIRECT_URI,
            scope=SCOPE,
            cache_handler=MemoryCacheHandler(),
        ),
        client_registered,
    )
    _, refresh = client_registered.issue_token("ana", client_id=CLIENT_ID)
    client_registered.revoke_refresh_tokens("ana")
    with pytest.raises(SpotifyOauthError) as caught:
        manager.refresh_access_token(refresh)
    assert caught.value.error == "invalid_grant"


def test_the_access_token_lifetime_is_a_knob(client_registered: Sandbox) -> None:
    client_registered.knobs.access_token_lifetime = 60
    tokens = pkce_tokens(client_registered)
    assert tokens["expires_in"] == 60
    client_registered.clock.advance(61)
    answer = httpx.get(
        f"{client_registered.api_url}/me",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "The access token expired"}}


def test_auto_consent_skips_the_page(client_registered: Sandbox) -> None:
    client_registered.knobs.auto_consent = "ben"
    _, challenge = pkce_pair()
    url = authorize_url(client_registered, code_challenge=challenge, code_challenge_method="S256")
    location = httpx.get(url).headers["Location"]
    assert "code" in query_of(location)
