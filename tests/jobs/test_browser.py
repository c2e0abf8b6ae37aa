"""A person starts a download from a playlist page and watches it finish over Server-Sent Events."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from downloads.models import Job
from sandbox import Sandbox
from tests.support.catalog import has_upload, import_playlist, tracks_with_one_missing
from tests.support.servers import AsgiServer
from tests.support.signing_in import session_cookies

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_a_download_started_from_the_playlist_page_reaches_its_end_live(
    page: Page, asgi_server: AsgiServer, media_sandbox: Sandbox, user: Any, worker: None
) -> None:
    tracks = tracks_with_one_missing(media_sandbox, 3)
    missing = next(i for i, t in enumerate(tracks) if not has_upload(media_sandbox, t))
    playlist = import_playlist(media_sandbox, user, tracks, name="Browser Mix")
    cookie = session_cookies(user)
    page.context.add_cookies(
        [{"name": k, "value": v, "url": asgi_server.url} for k, v in cookie.items()]
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{asgi_server.url}/library/playlists/{playlist.spotify_id}/")
    page.get_by_role("button", name="Download playlist").click()

    bar = page.get_by_role("progressbar", name="Overall progress")
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser Mix")
    expect(page.locator("[data-job-status]")).to_have_text(
        "Completed with failures", timeout=60_000
    )
    expect(bar).to_have_attribute("aria-valuenow", "66")  # 2 of 3 on disk
    # The tabs counted along with the stream, not only when the page was drawn.
    tabs = page.get_by_role("navigation", name="Show tracks")
    expect(tabs.locator('[data-tab-count="done"]')).to_have_text("2")
    expect(tabs.locator('[data-tab-count="problems"]')).to_have_text("1")
    expect(tabs.locator('[data-tab-count="active"]')).to_have_text("0")
    expect(page.get_by_role("button", name="Retry failed tracks")).to_be_visible()
    rows = page.locator("tbody tr")
    for index in range(3):
        status = "no_match" if index == missing else "done"
        expect(rows.nth(index)).to_have_attribute("data-status", status)
    job = Job.objects.get(owner=user)
    # The unmatched track's next step arrived with the live update, as a link to its choices.
    unmatched = job.items.get(position=missing)
    pick = rows.nth(missing).get_by_role("link", name="Pick an upload")
    expect(pick).to_have_attribute("href", f"/downloads/items/{unmatched.pk}/match/")
    assert (job.done, job.no_match) == (2, 1)
    assert errors == []
