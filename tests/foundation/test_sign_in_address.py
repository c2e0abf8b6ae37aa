"""Sign-in survives another port or host name: the demo's redirect URI follows the port, a real
app's mismatch is explained at startup, and a visit on another loopback name goes to the
redirect URI's host before the session cookie is set."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from library.sign_in_address import address_mismatch, redirect_uri_on_port

pytestmark = pytest.mark.django_db

DEFAULT_URI = "http://127.0.0.1:8000/callback/"
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - an address serve is told, not one bound here


def test_the_redirect_uri_follows_the_port_and_keeps_its_host_and_path() -> None:
    assert redirect_uri_on_port(DEFAULT_URI, 8010) == "http://127.0.0.1:8010/callback/"
    assert redirect_uri_on_port("http://[::1]:8000/cb/", 9000) == "http://[::1]:9000/cb/"


def test_a_port_other_than_the_redirect_uris_is_explained_with_both_ways_out() -> None:
    problem = address_mismatch(redirect_uri=DEFAULT_URI, host="127.0.0.1", port=8010)

    assert problem is not None
    assert "listens on port 8010" in problem
    assert "PORT=8000" in problem and "http://127.0.0.1:8010/callback/" in problem


@pytest.mark.parametrize(
    ("uri", "host", "words"),
    [
        ("http://localhost:8000/callback/", "127.0.0.1", "refuses `localhost`"),
        ("http://192.168.1.5:8000/callback/", EVERY_INTERFACE, "only on 127.0.0.1"),
        (DEFAULT_URI, "192.168.1.5", "set HOST=127.0.0.1"),
    ],
)
def test_addresses_spotify_cannot_come_back_to_are_explained(
    uri: str, host: str, words: str
) -> None:
    problem = address_mismatch(redirect_uri=uri, host=host, port=8000)

    assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("uri", "host"),
    [
        (DEFAULT_URI, "127.0.0.1"),
        (DEFAULT_URI, EVERY_INTERFACE),
        ("https://music.example.com/callback/", EVERY_INTERFACE),
    ],
)
def test_matching_addresses_and_a_proxys_https_address_are_fine(uri: str, host: str) -> None:
    assert address_mismatch(redirect_uri=uri, host=host, port=8000) is None


@pytest.mark.parametrize("path", ["/", "/login/"])
def test_a_visit_on_localhost_goes_to_the_redirect_uris_host_before_sign_in(
    client: Client, settings: Any, path: str
) -> None:
    settings.SPOTIFY_REDIRECT_URI = DEFAULT_URI

    response = client.get(f"{path}?next=x", HTTP_HOST="localhost:8000")

    assert response.status_code == 302
    assert response["Location"] == f"http://127.0.0.1:8000{path}?next=x"


def test_starting_sign_in_on_localhost_is_sent_over_before_any_state_is_kept(
    client: Client, settings: Any
) -> None:
    settings.SPOTIFY_REDIRECT_URI = DEFAULT_URI
    settings.SPOTIFY_CLIENT_ID = "configured"

    response = client.post("/login/", HTTP_HOST="localhost:8000")

    assert response["Location"] == "http://127.0.0.1:8000/login/"
    assert "library.oauth.pending" not in client.session


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8010", "testserver"])
def test_the_redirect_uris_own_host_other_ports_and_other_names_are_served(
    client: Client, settings: Any, host: str
) -> None:
    settings.SPOTIFY_REDIRECT_URI = DEFAULT_URI
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

    assert client.get("/login/", HTTP_HOST=host).status_code == 200
