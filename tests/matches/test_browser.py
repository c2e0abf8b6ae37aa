"""In the browser: see why a track's upload was chosen, choose another, get it, keep it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from downloads.models import AudioFormat, Job, JobItem, StoredFile
from sandbox import Sandbox
from tests.matches.flow import download, downloadable_track, heard, other_candidate, run
from tests.support.servers import AsgiServer
from tests.support.signing_in import session_cookies

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_choosing_another_candidate_downloads_it_and_later_downloads_keep_it(
    page: Page, asgi_server: AsgiServer, media_sandbox: Sandbox, user: Any
) -> None:
    track, catalog_track = downloadable_track(media_sandbox)
    first_job = download(user, catalog_track)
    first = first_job.items.get()
    assert first.status == JobItem.Status.DONE, first.error
    assert first.stored_file is not None
    assert heard(media_sandbox, track, first.stored_file.absolute_path) == first.candidate_id
    chosen = other_candidate(first)
    ranked = first.alternatives["ranked"]
    page.context.add_cookies(
        [
            {"name": name, "value": value, "url": asgi_server.url}
            for name, value in session_cookies(user).items()
        ]
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # From the job's row to the track's match page: the reason and every ranked candidate.
    page.goto(f"{asgi_server.url}/downloads/{first_job.pk}/")
    page.get_by_role("link", name=f"Match details for {catalog_track.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(catalog_track.name)
    expect(page.locator("[data-match-reason]")).to_have_text(first.match_reason)
    expect(page.locator("tr[data-candidate]")).to_have_count(len(ranked))
    expect(page.locator(f'tr[data-candidate="{first.candidate_id}"]')).to_contain_text("Chosen")
    expect(page.locator(f'tr[data-candidate="{first.candidate_id}"]')).to_contain_text(
        "In the file"
    )
    row = page.locator(f'tr[data-candidate="{chosen}"]')
    entry = next(r for r in ranked if r["candidate"]["id"] == chosen)
    expect(row).to_contain_text(entry["candidate"]["channel"])
    expect(row).to_contain_text(entry["reason"])
    expect(row).to_contain_text(f"{entry['score']:.1f}")

    # Choose it: a new track job downloads it, live on the job page.
    row.get_by_role("button", name=re.compile(r"^Use this one")).click()
    expect(page.locator(".message")).to_contain_text("pinned")
    redo = Job.objects.exclude(pk=first_job.pk).get()
    expect(page).to_have_url(f"{asgi_server.url}/downloads/{redo.pk}/")
    assert (redo.kind, redo.audio_format, redo.status) == (
        Job.Kind.TRACK,
        AudioFormat.ORIGINAL,
        Job.Status.QUEUED,
    )
    run(redo)
    expect(page.get_by_role("progressbar", name="Overall progress")).to_have_attribute(
        "aria-valuenow", "100", timeout=60_000
    )
    expect(page.locator("[data-job-status]")).to_have_text("Completed")
    # The pinned upload is a file of its own beside the first one (files are keyed by upload).
    stored = StoredFile.objects.get(
        track=catalog_track, audio_format=AudioFormat.ORIGINAL, source_id=chosen
    )
    assert stored.pk != first.stored_file_id
    assert heard(media_sandbox, track, stored.absolute_path) == chosen

    # The match page now says the person pinned it and that a file holds it.
    page.get_by_role("link", name=f"Match details for {catalog_track.name}").click()
    expect(page.locator("[data-pin]")).to_contain_text("You pinned this track just now")
    expect(page.locator(f'tr[data-candidate="{chosen}"]')).to_contain_text("In the file")
    expect(page.locator(f'tr[data-candidate="{chosen}"]')).to_contain_text("Pinned")
    assert errors == []

    # A later download of the track (another format, so a new file) fetches the pin: no search.
    media_sandbox.reset_counters()
    later = download(user, catalog_track, AudioFormat.MP3).items.get()
    assert (later.status, later.candidate_id, later.match_reason) == (
        "done",
        chosen,
        "Pinned by hand",
    )
    assert later.stored_file is not None
    assert heard(media_sandbox, track, later.stored_file.absolute_path) == chosen
    assert not any(key.startswith("POST /youtubei/v1/search") for key in media_sandbox.requests)
