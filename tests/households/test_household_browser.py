"""Households in a browser: the admin's page (inviting someone, a refused template, the people
and their roles), and what an uninvited person sees after Spotify's consent page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from library.models import AllowedAccount, SpotifyAccount
from sandbox import Sandbox
from tests.support.browser import watch_for_problems
from tests.support.servers import AsgiServer

# The app's fixtures come before `page` in each signature: the test database is set up before
# Playwright starts its event loop in this thread.
pytestmark = [pytest.mark.browser, pytest.mark.integration]


def sign_in_as(page: Page, app: AsgiServer, spotify: Sandbox, user_key: str) -> None:
    spotify.knobs.auto_consent = user_key
    page.goto(app.url + "/login/")
    page.get_by_role("button", name="Sign in with Spotify").click()


def test_the_admin_invites_someone_and_is_refused_a_template_that_cannot_render(
    live_app: AsgiServer, spotify: Sandbox, page: Page
) -> None:
    problems = watch_for_problems(page, live_app.url)
    sign_in_as(page, live_app, spotify, "ana")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ana Edge")

    page.goto(live_app.url + "/settings/")
    page.get_by_role("link", name="Installation", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Installation settings")
    page.get_by_label("Spotify user id or display name").fill("Cleo Empty")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status").first).to_contain_text("Cleo Empty may sign in.")
    expect(page.locator("table.invited")).to_contain_text("Cleo Empty")
    assert problems == []
    page.get_by_label("Path template").fill("{title:d}.{ext}")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("alert").first).to_contain_text("cannot be filled in")
    people = page.locator("table.people")
    expect(people).to_contain_text("Ana Edge")
    expect(people.get_by_role("button", name="Remove admin")).to_be_disabled()
    assert AllowedAccount.objects.filter(key="cleo empty").exists()


def test_an_uninvited_person_is_told_whom_to_ask_after_the_consent_page(
    live_app: AsgiServer, spotify: Sandbox, page: Page, browser: Browser
) -> None:
    sign_in_as(page, live_app, spotify, "ana")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ana Edge")
    stranger = browser.new_page()

    sign_in_as(stranger, live_app, spotify, "ben")

    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "You are not invited to this spotifydl yet"
    )
    expect(stranger.get_by_role("alert")).to_contain_text("Ask Ana Edge to add your Spotify")
    expect(stranger.get_by_role("navigation", name="Main")).to_contain_text("Sign in")
    assert SpotifyAccount.objects.count() == 1
    stranger.close()
