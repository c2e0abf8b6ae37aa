"""Pins through the real pipeline (sandbox search, yt-dlp, ffmpeg), without a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from downloads.matches import services
from downloads.models import AudioFormat, JobItem
from sandbox import Sandbox
from tests.matches.flow import download, downloadable_track, heard, other_candidate, run

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_pasted_link_in_the_sandbox_world_gets_a_file_of_its_own_beside_the_first(
    media_sandbox: Sandbox, user: Any
) -> None:
    track, catalog_track = downloadable_track(media_sandbox)
    first = download(user, catalog_track).items.get()
    assert first.status == JobItem.Status.DONE, first.error
    assert first.stored_file is not None
    stored_path = first.stored_file.absolute_path
    assert heard(media_sandbox, track, stored_path) == first.candidate_id
    chosen = other_candidate(first)

    override = services.track_override(
        track=catalog_track,
        url_or_candidate=f"https://youtu.be/{chosen}?si=shared",
        user=user,
        audio_format=AudioFormat.ORIGINAL,
    )
    assert override.pin.url == media_sandbox.watch_url(chosen)
    job = run(override.job)

    item = job.items.get()
    assert (item.status, item.candidate_id, item.match_reason) == ("done", chosen, "Pinned by hand")
    assert item.stored_file is not None
    stored = item.stored_file
    assert (stored.source_id, stored.audio_format) == (chosen, AudioFormat.ORIGINAL)
    assert heard(media_sandbox, track, stored.absolute_path) == chosen
    # Files are keyed by upload: the pinned one is a second file, told apart by its video id.
    assert stored.pk != first.stored_file_id
    assert f" [{chosen}]." in stored.path
    assert heard(media_sandbox, track, stored_path) == first.candidate_id
    music = Path(settings.MUSIC_ROOT)
    files = [p for p in music.rglob("*") if p.is_file() and ".incoming" not in p.parts]
    assert sorted(files) == sorted([stored_path, stored.absolute_path])
    first.refresh_from_db()
    assert first.stored_file is not None and first.stored_file.absolute_path == stored_path
