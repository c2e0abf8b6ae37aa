"""Every endpoint answers its owner, in the document's shapes, and another person's ids are a
404 (never a 403: no oracle)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from downloads.models import Job, JobItem, Subscription, TrackPin
from tests.api.conftest import API, Api
from tests.factories import (
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    SubscriptionFactory,
    UserPlaylistFactory,
)
from tests.support.responses import body

pytestmark = pytest.mark.django_db


def test_the_openapi_document_and_the_docs_page_are_served_without_a_cdn(client: Client) -> None:
    document = client.get(f"{API}/openapi.json").json()
    assert "/api/v1/jobs/{job_id}/items" in document["paths"]
    docs = client.get(f"{API}/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle" in docs
    assert "cdn" not in docs.lower()


def test_the_library_lists_playlists_liked_songs_and_albums_a_page_at_a_time(
    api: Api, user: Any
) -> None:
    UserPlaylistFactory.create_batch(55, user=user)
    SavedTrackFactory.create_batch(3, user=user)
    SavedAlbumFactory.create(user=user)

    first = api.get("/library/playlists").json()
    second = api.get("/library/playlists?page=2").json()
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (
        55,
        2,
        50,
        5,
    )
    assert len(api.get("/library/liked").json()["items"]) == 3
    assert len(api.get("/library/albums").json()["items"]) == 1


def test_starting_a_download_takes_the_forms_targets_and_formats(
    api: Api, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    membership = UserPlaylistFactory.create(user=user)
    PlaylistEntryFactory.create_batch(3, playlist=membership.playlist)
    link = f"https://open.spotify.com/playlist/{membership.playlist.spotify_id}?si=abc"

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("/jobs", {"target": link, "audio_format": "mp3"})

    assert answer.status_code == 201
    job = Job.objects.get(owner=user)
    assert answer.json()["id"] == job.pk
    assert (job.kind, job.total, job.audio_format) == ("playlist", 3, "mp3")
    items = api.get(f"/jobs/{job.pk}/items").json()
    assert [i["status"] for i in items["items"]] == ["queued"] * 3


def test_a_bad_target_is_refused_with_the_forms_words(api: Api, other_user: Any) -> None:
    theirs = UserPlaylistFactory.create(user=other_user)
    PlaylistEntryFactory.create(playlist=theirs.playlist)

    nonsense = api.post("/jobs", {"target": "hello"})
    not_theirs = api.post("/jobs", {"kind": "playlist", "target": theirs.playlist.spotify_id})

    assert nonsense.status_code == 400
    assert nonsense.json()["detail"].startswith("Paste a Spotify link")
    assert not_theirs.json()["detail"] == "That playlist is not in your library."


def test_job_status_cancel_retry_and_resume(api: Api, user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.PARTIAL, failed=1, total=2)
    JobItemFactory.create(job=job, status=JobItem.Status.FAILED)
    JobItemFactory.create(job=job, status=JobItem.Status.DONE)

    assert api.get(f"/jobs/{job.pk}").json()["status"] == "partial"
    assert api.get("/jobs").json()["total"] == 1
    assert api.post(f"/jobs/{job.pk}/retry").json() == {"detail": "Retrying 1 track.", "count": 1}
    assert api.post(f"/jobs/{job.pk}/resume").json()["count"] == 0
    assert api.post(f"/jobs/{job.pk}/cancel").status_code == 200
    job.refresh_from_db()
    assert job.cancel_requested or job.status == Job.Status.CANCELLED


def test_another_persons_job_is_a_404_on_every_job_endpoint(api: Api, other_user: Any) -> None:
    theirs = JobFactory.create(owner=other_user)
    for method, path in [
        ("get", f"/jobs/{theirs.pk}"),
        ("get", f"/jobs/{theirs.pk}/items"),
        ("post", f"/jobs/{theirs.pk}/cancel"),
        ("post", f"/jobs/{theirs.pk}/retry"),
        ("post", f"/jobs/{theirs.pk}/resume"),
        ("get", f"/zip/job/{theirs.pk}"),
    ]:
        answer = api.call(method, path, {} if method == "post" else None)
        assert answer.status_code == 404, path
        assert answer.json()["detail"]


def test_subscriptions_are_made_listed_synced_and_deleted(
    api: Api, user: Any, other_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    membership = UserPlaylistFactory.create(user=user)
    playlist = membership.playlist.spotify_id

    made = api.post("/subscriptions", {"source": "playlist", "target": playlist})
    assert made.status_code == 201
    again = api.post("/subscriptions", {"source": "playlist", "target": playlist})
    assert again.status_code == 200
    subscription_id = made.json()["id"]
    assert [s["id"] for s in api.get("/subscriptions").json()] == [subscription_id]
    synced = api.post(f"/subscriptions/{subscription_id}/sync").json()
    assert synced["detail"] == "A sync of this subscription is already on its way."

    theirs = SubscriptionFactory.create(owner=other_user)
    assert api.post(f"/subscriptions/{theirs.pk}/sync").status_code == 404
    assert api.delete(f"/subscriptions/{theirs.pk}").status_code == 404

    assert api.delete(f"/subscriptions/{subscription_id}").status_code == 204
    assert list(Subscription.objects.values_list("owner__username", flat=True)) == ["bo"]


def test_a_subscription_to_someone_elses_playlist_is_refused(api: Api, other_user: Any) -> None:
    theirs = UserPlaylistFactory.create(user=other_user)
    answer = api.post(
        "/subscriptions", {"source": "playlist", "target": theirs.playlist.spotify_id}
    )
    assert answer.status_code == 400


def test_files_give_metadata_bytes_and_a_zip_of_the_job(
    api: Api, user: Any, other_api: Api, file_on_disk: Any
) -> None:
    item = JobItemFactory.create(job__owner=user, status=JobItem.Status.DONE)
    stored = file_on_disk(item.track)
    item.stored_file = stored
    item.save()

    meta = api.get(f"/files/{stored.pk}").json()
    assert (meta["id"], meta["track"]) == (stored.pk, item.track.spotify_id)
    download = api.get(f"/files/{stored.pk}/download")
    assert download.status_code == 200
    assert body(download) == b"audio"
    archive = api.get(f"/zip/job/{item.job_id}")
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"
    assert body(archive).startswith(b"PK")

    assert other_api.get(f"/files/{stored.pk}").status_code == 404
    assert other_api.get(f"/files/{stored.pk}/download").status_code == 404


def test_match_details_and_pins(api: Api, user: Any, other_api: Api) -> None:
    saved = SavedTrackFactory.create(user=user)
    spotify_id = saved.track.spotify_id

    assert api.get(f"/tracks/{spotify_id}/match").json()["pinned"] == ""
    pinned = api.put(f"/tracks/{spotify_id}/pin", {"url": "https://youtu.be/dQw4w9WgXcQ"})
    assert pinned.status_code == 200, pinned.content
    assert pinned.json()["pinned"] == "dQw4w9WgXcQ"
    assert TrackPin.objects.get().owner == user
    assert api.put(f"/tracks/{spotify_id}/pin", {"url": "not a link"}).status_code == 400
    assert api.delete(f"/tracks/{spotify_id}/pin").json()["count"] == 1

    assert other_api.get(f"/tracks/{spotify_id}/match").status_code == 404
    assert other_api.delete(f"/tracks/{spotify_id}/pin").status_code == 404
