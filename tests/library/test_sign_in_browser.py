from __future__ import annotations

import re
import subprocess

import pytest
from django.conf import settings
from playwright.sync_api import ConsoleMessage, Page, expect

from library.models import LibraryRefresh, SpotifyAccount
from sandbox import Sandbox
from tests.support.processes import child_env, manage
from tests.support.servers import AsgiServer

# The app's fixtures come before `page` in each signature: the test database is set up before
# Playwright starts its event loop in this thread.
pytestmark = [pytest.mark.browser, pytest.mark.integration]


def collect_errors(page: Page, origin: str) -> list[str]:
    """Console errors of our own pages (the sandbox's consent page is not ours to judge)."""
    errors: list[str] = []

    def remember(message: ConsoleMessage) -> None:
        if message.type == "error" and message.location.get("url", "").startswith(origin):
            errors.append(f"{message.location.get('url')}: {message.text}")

    page.on("console", remember)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_signing_in_through_the_spotify_consent_page_lands_signed_in_on_the_home_page(
    live_app: AsgiServer, spotify: Sandbox, page: Page
) -> None:
    errors = collect_errors(page, live_app.url)
    page.goto(live_app.url + "/")

    page.get_by_role("button", name="Sign in with Spotify").first.click()
    expect(page.locator("#app-name")).to_have_text("spotifydl")
    page.locator("#user").select_option("ben")
    page.get_by_role("button", name="Agree").click()

    expect(page).to_have_url(live_app.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_contain_text("Ben Small")
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello, Ben Small")
    expect(page.get_by_role("status")).to_contain_text("Signed in as Ben Small")
    expect(page.locator("#library-refresh")).to_contain_text("Reading your library")
    account = SpotifyAccount.objects.get()
    assert account.spotify_id == spotify.user("ben").id
    assert LibraryRefresh.objects.filter(user=account.user).exists()
    assert errors == []


def test_declining_on_the_consent_page_explains_and_offers_to_try_again(
    live_app: AsgiServer, spotify: Sandbox, page: Page
) -> None:
    page.goto(live_app.url + "/login/")

    page.get_by_role("button", name="Sign in with Spotify").click()
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You did not connect Spotify")
    page.get_by_role("button", name="Try again").click()
    expect(page).to_have_url(re.compile(re.escape(spotify.accounts_url) + "/authorize"))
    assert not SpotifyAccount.objects.exists()


def test_signing_out_from_the_header_returns_to_the_anonymous_home_page(
    live_app: AsgiServer, spotify: Sandbox, page: Page
) -> None:
    spotify.knobs.auto_consent = "ana"
    page.goto(live_app.url + "/login/")
    page.get_by_role("button", name="Sign in with Spotify").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ana Edge")

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Spotify library")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Sign in")


@pytest.mark.slow
def test_after_the_first_sign_in_the_home_page_follows_the_refresh_until_the_library_is_read(
    live_app: AsgiServer, spotify: Sandbox, page: Page
) -> None:
    spotify.knobs.auto_consent = "ben"
    page.goto(live_app.url + "/login/")
    page.get_by_role("button", name="Sign in with Spotify").click()
    expect(page.locator("#library-refresh")).to_contain_text("Reading your library")

    worker = run_worker(spotify)

    expect(page.locator("#library-refresh")).to_contain_text("up to date", timeout=30_000)
    liked = len(spotify.user_library("ben")["liked"])
    expect(page.get_by_label("Your library")).to_contain_text(f"{liked} liked songs")
    assert worker.wait(timeout=30) == 0


def run_worker(spotify: Sandbox) -> subprocess.Popen[bytes]:
    """A real db_worker process, pointed at the sandbox, that runs what is queued and exits."""
    env = child_env(
        SECRET_KEY=settings.SECRET_KEY,
        SPOTIFY_CLIENT_ID=settings.SPOTIFY_CLIENT_ID,
        SPOTIFY_CLIENT_SECRET="",
        SPOTIFY_ACCOUNTS_URL=spotify.accounts_url,
        SPOTIFY_API_URL=spotify.api_url,
    )
    return manage(
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
