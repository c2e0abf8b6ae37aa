"""Browsing in Chromium: every page for a sandbox user with edge-case data, selection, filter,
keyboard, mobile and dark mode, a 10,000-song library, and the README's screenshots.

Each test's app fixtures come before `page`: the test database is ready before Playwright starts
its event loop in this thread.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from downloads.models import Job
from library.models import Album, Artist, FollowedArtist, SavedAlbum, UserPlaylist
from sandbox import Sandbox
from spotifydl.paging import TRACKS_PER_PAGE
from tests.support.browser import browser_sign_in, watch_for_problems
from tests.support.servers import AsgiServer
from tests.support.signing_in import RunRefresh, SignIn, sign_in_on
from tests.support.workers import start_worker, stop_worker

pytestmark = [pytest.mark.browser, pytest.mark.integration]

DOCS = Path(__file__).resolve().parents[2] / "docs"
RANGES = ("short_term", "medium_term", "long_term")
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture
def ana(sign_in: SignIn, run_refresh: RunRefresh) -> User:
    user = sign_in("ana")
    run_refresh(user)
    return user


def every_page(user: User) -> list[str]:
    """Every browsing URL of this user's library."""
    playlists = UserPlaylist.objects.filter(user=user).select_related("playlist")
    albums = SavedAlbum.objects.filter(user=user).select_related("album")
    artists = FollowedArtist.objects.filter(user=user).select_related("artist")
    return [
        "/",
        "/library/",
        "/library/liked/",
        "/library/liked/?q=a&page=1",
        "/library/liked/?page=2",
        "/library/playlists/",
        *(f"/library/playlists/{m.playlist.spotify_id}/" for m in playlists),
        "/library/albums/",
        *(f"/library/albums/{s.album.spotify_id}/" for s in albums),
        "/library/artists/",
        *(f"/library/artists/{f.artist.spotify_id}/" for f in artists),
        *(f"/library/top/tracks/?range={r}" for r in RANGES),
        *(f"/library/top/artists/?range={r}" for r in RANGES),
        "/library/recent/",
        "/library/search/",
        "/library/search/?q=the",
        "/library/search/?q=%F0%9F%94%A5",  # an emoji
    ]


# Every cover in view has loaded (or failed): a lazy one starts once scrolled to.
COVERS_IN_VIEW_LOADED = """() => [...document.images].every((img) => {
    const box = img.getBoundingClientRect();
    return img.complete || box.bottom <= 0 || box.top >= window.innerHeight;
})"""


def visit(page: Page, url: str) -> None:
    """Open the page, scroll to its end and wait until the covers there have loaded (the page's
    own requests were over at its load event: browsing pages make no requests of their own).
    Waiting for the network to be idle instead costs half a second a page."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(COVERS_IN_VIEW_LOADED)


def test_every_page_works_for_a_user_with_edge_case_data(
    live_app: AsgiServer, ana: User, page: Page
) -> None:
    problems = watch_for_problems(page, live_app.url)
    browser_sign_in(page, live_app.url, ana)

    for url in every_page(ana):
        visit(page, live_app.url + url)
        assert page.evaluate(NO_OVERFLOW), f"{url} scrolls sideways"

    assert problems == []


def test_a_followed_playlist_explains_why_it_is_empty_and_what_to_do(
    live_app: AsgiServer, ana: User, page: Page
) -> None:
    unreadable = UserPlaylist.objects.filter(user=ana, readable=False).select_related("playlist")
    browser_sign_in(page, live_app.url, ana)

    page.goto(live_app.url + "/library/playlists/")
    tile = page.locator(".tile", has_text=unreadable[0].playlist.name).first
    expect(tile).to_contain_text("Can't be read")
    tile.get_by_role("link", name="what you can do").click()

    note = page.get_by_role("note")
    expect(note).to_contain_text("Spotify won't share this playlist's tracks")
    expect(note).to_contain_text("add them to a new playlist of your own")
    expect(note.get_by_role("link", name="Open in Spotify")).to_be_visible()
    expect(note.get_by_role("button", name="Refresh library")).to_be_visible()
    expect(page.get_by_role("button", name="Download playlist")).to_have_count(0)


def test_local_files_and_episodes_in_a_playlist_are_counted_not_listed(
    live_app: AsgiServer, ana: User, page: Page
) -> None:
    weird = UserPlaylist.objects.get(user=ana, playlist__name__startswith="Everything Weird")
    browser_sign_in(page, live_app.url, ana)

    page.goto(f"{live_app.url}/library/playlists/{weird.playlist.spotify_id}/")

    expect(page.locator(".collection-header")).to_contain_text("can't be downloaded")
    expect(page.locator("input[data-select-row]").first).to_be_visible()


def test_the_liked_filter_updates_as_you_type_and_keeps_the_address(
    live_app: AsgiServer, ana: User, page: Page
) -> None:
    problems = watch_for_problems(page, live_app.url)
    browser_sign_in(page, live_app.url, ana)
    page.goto(live_app.url + "/library/liked/")
    first_title = page.locator("tbody .name").first.inner_text().split("\n")[0].strip()
    word = max(first_title.split(), key=len)

    page.get_by_label("Filter these tracks").fill(word)

    expect(page).to_have_url(re.compile(r"\?q="))
    expect(page.locator("#track-results")).to_contain_text("match")
    expect(page.locator("tbody .name").first).to_contain_text(word)
    page.get_by_label("Filter these tracks").fill("zzzz-nothing")
    expect(page.get_by_role("link", name="Show all tracks")).to_be_visible()
    assert problems == []


def test_tracks_are_selected_by_click_shift_click_keyboard_and_select_all_then_downloaded(
    live_app: AsgiServer, ana: User, page: Page
) -> None:
    browser_sign_in(page, live_app.url, ana)
    page.goto(live_app.url + "/library/liked/")
    boxes = page.locator("input[data-select-row]")
    count = page.locator("[data-selection-count]")
    expect(page.get_by_role("button", name="Download selection")).to_be_disabled()

    boxes.nth(0).click()
    boxes.nth(3).click(modifiers=["Shift"])
    expect(count).to_have_text("4 tracks selected")
    boxes.nth(5).focus()
    page.keyboard.press("Shift+Space")
    expect(count).to_have_text("6 tracks selected")
    page.get_by_label("Select all tracks in this list").check()
    expect(count).to_have_text(f"{boxes.count()} tracks selected")
    page.get_by_label("Select all tracks in this list").uncheck()
    boxes.nth(1).click()
    boxes.nth(2).click()
    page.get_by_role("button", name="Download selection").click()

    expect(page).to_have_url(re.compile(r"/downloads/\d+/$"))
    job = Job.objects.get(owner=ana)
    assert (job.kind, job.total) == ("selection", 2)


def test_an_album_from_an_artists_discography_downloads_in_one_click(
    live_app: AsgiServer, ana: User, page: Page
) -> None:
    problems = watch_for_problems(page, live_app.url)
    artist = Artist.objects.filter(tracks__saves__user=ana).order_by("pk").first()
    assert artist is not None
    browser_sign_in(page, live_app.url, ana)

    page.goto(f"{live_app.url}/library/artists/{artist.spotify_id}/")
    page.locator(".tile-download button").first.click()

    expect(page).to_have_url(re.compile(r"/downloads/\d+/$"))
    job = Job.objects.get(owner=ana)
    album = Album.objects.get(spotify_id=job.target_id)
    assert job.kind == "album" and job.total == album.total_tracks
    assert problems == []


def test_pages_fit_a_phone_in_dark_mode(live_app: AsgiServer, ana: User, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    problems = watch_for_problems(page, live_app.url)
    browser_sign_in(page, live_app.url, ana)
    playlist = UserPlaylist.objects.filter(user=ana, readable=True).first()
    assert playlist is not None

    for url in (
        "/",
        "/library/liked/",
        "/library/playlists/",
        f"/library/playlists/{playlist.playlist.spotify_id}/",
        "/library/search/?q=a",
    ):
        visit(page, live_app.url + url)
        assert page.evaluate(NO_OVERFLOW), f"{url} scrolls sideways on a phone"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(18, 18, 18)", url

    context.close()
    assert problems == []


@pytest.mark.slow
def test_a_10000_song_liked_library_pages_and_filters(
    asgi_server: AsgiServer, bench_sandbox: Sandbox, run_refresh: RunRefresh, page: Page
) -> None:
    hugo = sign_in_on(bench_sandbox, "hugo")
    run_refresh(hugo)
    problems = watch_for_problems(page, asgi_server.url)
    browser_sign_in(page, asgi_server.url, hugo)
    liked = asgi_server.url + "/library/liked/"

    # How fast is measured by the benchmarks (bench/), never asserted here.
    pages = 10_000 // TRACKS_PER_PAGE
    for url in (liked, f"{liked}?page={pages // 2}", f"{liked}?page={pages}", liked + "?q=love"):
        visit(page, url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Liked Songs")
    expect(page.locator(".collection-header")).to_contain_text("10,000 songs")
    page.goto(f"{liked}?page={pages}")
    expect(page.locator("input[data-select-row]")).to_have_count(TRACKS_PER_PAGE)
    expect(page.get_by_text(f"Page {pages} of {pages}")).to_be_visible()

    assert problems == []


# --- screenshots for the README -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="SCREENSHOTS=1 rewrites docs/*.png")
def test_screenshots_of_the_main_pages(
    asgi_server: AsgiServer,
    demo_sandbox: Sandbox,
    run_refresh: RunRefresh,
    settings: object,
    browser: Browser,
) -> None:
    """The README's pictures, taken in demo mode: `SCREENSHOTS=1 pytest -k screenshots`."""
    settings.DEMO_MODE = True  # type: ignore[attr-defined]
    marco = sign_in_on(demo_sandbox, "marco")
    run_refresh(marco)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    browser_sign_in(page, asgi_server.url, marco)
    playlist = UserPlaylist.objects.filter(user=marco, readable=True, is_owner=True).first()
    assert playlist is not None
    pages = {
        "home": "/",
        "playlists": "/library/playlists/",
        "liked": "/library/liked/",
        "playlist": f"/library/playlists/{playlist.playlist.spotify_id}/",
        "search": "/library/search/?q=love",
    }
    DOCS.mkdir(exist_ok=True)
    for name, url in pages.items():
        visit(page, asgi_server.url + url)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_function(COVERS_IN_VIEW_LOADED)  # the top's lazy covers, back in view
        page.screenshot(path=DOCS / f"{name}.png")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="light")
    on_phone = phone.new_page()
    browser_sign_in(on_phone, asgi_server.url, marco)
    visit(on_phone, asgi_server.url + pages["playlist"])
    on_phone.evaluate("window.scrollTo(0, 0)")
    on_phone.wait_for_function(COVERS_IN_VIEW_LOADED)
    on_phone.screenshot(path=DOCS / "phone-playlist.png")
    on_phone.get_by_role("button", name="Menu").click()
    on_phone.screenshot(path=DOCS / "phone-menu.png")

    # A finished download job: a real worker fetches a short playlist from the sandbox.
    settings.MEDIA_SOURCES = ["ytmusic"]  # type: ignore[attr-defined]
    for name, value in demo_sandbox.youtube_settings().items():
        setattr(settings, name, value)
    short = min(
        UserPlaylist.objects.filter(user=marco, readable=True).select_related("playlist"),
        key=lambda m: m.playlist.entries.count() or 10_000,
    )
    worker = start_worker()
    try:
        page.goto(f"{asgi_server.url}/library/playlists/{short.playlist.spotify_id}/")
        page.get_by_role("button", name="Download playlist").click()
        expect(page).to_have_url(re.compile(r"/downloads/\d+/$"))
        job_page = page.locator("[data-job-events]")  # the stream's end marks the job's
        expect(job_page).to_have_attribute("data-finished", "true", timeout=120_000)
        page.screenshot(path=DOCS / "job.png")
        on_phone.goto(page.url)
        expect(on_phone.get_by_role("progressbar", name="Overall progress")).to_be_visible()
        on_phone.screenshot(path=DOCS / "phone-job.png")
    finally:
        stop_worker(worker)
    context.close()
    phone.close()
