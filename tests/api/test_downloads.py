"""The API against the sandbox: start a playlist's download, follow the job to its end, and
fetch the files and the ZIP the pages would give."""

from __future__ import annotations

from typing import Any

import pytest

from downloads.models import Job
from downloads.tasks import run_chunk
from sandbox import Sandbox
from tests.api.conftest import Api
from tests.support.catalog import editorial_tracks, has_upload, import_playlist
from tests.support.responses import body
from tests.support.workers import run_task_in_thread

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_download_started_over_the_api_is_followed_to_its_files(
    media_sandbox: Sandbox, user: Any, api: Api, other_api: Api
) -> None:
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:2]
    playlist = import_playlist(media_sandbox, user, tracks)

    started = api.post("/jobs", {"target": f"spotify:playlist:{playlist.spotify_id}"})
    assert started.status_code == 201, started.content
    job_id = started.json()["id"]
    assert api.get(f"/jobs/{job_id}").json()["status"] == "queued"
    job = Job.objects.get(pk=job_id)
    for chunk in sorted(set(job.items.values_list("chunk", flat=True))):
        run_task_in_thread(run_chunk, job_id=job.pk, chunk=chunk)

    finished = api.get(f"/jobs/{job_id}").json()
    assert (finished["status"], finished["done"]) == ("completed", 2)
    items = api.get(f"/jobs/{job_id}/items").json()["items"]
    assert [i["track"]["id"] for i in items] == [t.id for t in tracks]
    file_id = items[0]["file_id"]
    assert api.get(f"/files/{file_id}").json()["track"] == tracks[0].id
    assert len(body(api.get(f"/files/{file_id}/download"))) > 1000
    assert body(api.get(f"/zip/playlist/{playlist.spotify_id}")).startswith(b"PK")
    match = api.get(f"/tracks/{tracks[0].id}/match").json()
    assert any(c["chosen"] for c in match["candidates"])

    assert other_api.get(f"/jobs/{job_id}").status_code == 404
    assert other_api.get(f"/files/{file_id}/download").status_code == 404
    assert other_api.get(f"/zip/playlist/{playlist.spotify_id}").status_code == 404
