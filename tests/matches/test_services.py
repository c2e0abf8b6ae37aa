"""Pinning, unpinning and downloading again, without the network."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from downloads.matches import services
from downloads.matches.links import LinkError
from downloads.matches.services import PinError
from downloads.models import Job, JobItem, StoredFile, TrackPin
from downloads.pipeline.sources.common import is_allowed_media_url
from downloads.pipeline.types import Candidate
from tests.factories import TrackFactory, TrackPinFactory, UserFactory
from tests.matches.helpers import TOPIC_ID, candidates_for

pytestmark = pytest.mark.django_db

ID = "dQw4w9WgXcQ"
SANDBOX = "http://127.0.0.1:45678"


@pytest.fixture
def youtube(settings: Any) -> None:
    """The production sources: a pin must name a canonical YouTube watch URL."""
    settings.MEDIA_SOURCES = ["ytmusic", "youtube"]
    settings.YOUTUBE_WATCH_BASE = "https://www.youtube.com/watch?v="


@pytest.fixture
def sandbox_only(settings: Any) -> None:
    """Demo mode and tests: videos are fetched from the sandbox's watch URLs."""
    settings.MEDIA_SOURCES = ["ytmusic"]
    settings.YOUTUBE_WATCH_BASE = f"{SANDBOX}/watch?v="


def _candidate(**fields: Any) -> Candidate:
    values: dict[str, Any] = {
        "id": ID,
        "title": "Song",
        "channel": "Artist - Topic",
        "duration": 200.0,
        "views": 1,
        "kind": "song",
    }
    return Candidate(**{**values, **fields})


@pytest.mark.parametrize(
    ("link", "stored_url"),
    [
        (f"https://youtu.be/{ID}?si=abc", f"https://www.youtube.com/watch?v={ID}"),
        (f"https://m.youtube.com/watch?v={ID}&t=3s", f"https://www.youtube.com/watch?v={ID}"),
        (f"https://www.youtube.com/shorts/{ID}", f"https://www.youtube.com/watch?v={ID}"),
        (
            f"https://music.youtube.com/watch?v={ID}&list=x",
            f"https://music.youtube.com/watch?v={ID}",
        ),
    ],
)
def test_a_pasted_link_is_pinned_as_the_canonical_watch_url(
    youtube: None, user: Any, link: str, stored_url: str
) -> None:
    track = TrackFactory.create()

    pin = services.track_pin(track=track, url_or_candidate=link, user=user)

    pin.refresh_from_db()
    assert (pin.track_id, pin.video_id, pin.url, pin.pinned_by) == (track.pk, ID, stored_url, user)
    assert is_allowed_media_url(pin.url)


def test_in_the_sandbox_world_a_pasted_link_names_the_sandbox_watch_url(
    sandbox_only: None, user: Any
) -> None:
    track = TrackFactory.create()

    pin = services.track_pin(track=track, url_or_candidate=f"https://youtu.be/{ID}", user=user)

    assert pin.url == f"{SANDBOX}/watch?v={ID}"
    assert is_allowed_media_url(pin.url)


@pytest.mark.parametrize(
    "link", ["https://youtube.com@evil.com/", "https://youtube.com.evil.com/watch?v=" + ID, ""]
)
def test_a_bad_link_pins_nothing(youtube: None, user: Any, link: str) -> None:
    track = TrackFactory.create()

    with pytest.raises(LinkError):
        services.track_pin(track=track, url_or_candidate=link, user=user)

    assert not TrackPin.objects.exists()


def test_a_candidate_keeps_its_own_url_when_it_passes_the_allow_list(
    sandbox_only: None, user: Any
) -> None:
    url = f"{SANDBOX}/watch?v={ID}"

    pin = services.track_pin(
        track=TrackFactory.create(), url_or_candidate=_candidate(url=url), user=user
    )

    assert (pin.video_id, pin.url) == (ID, url)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("song", f"https://music.youtube.com/watch?v={ID}"),
        ("video", f"https://www.youtube.com/watch?v={ID}"),
    ],
)
def test_a_candidate_url_outside_the_allow_list_is_rebuilt_from_its_id(
    youtube: None, user: Any, kind: str, expected: str
) -> None:
    candidate = _candidate(kind=kind, url="https://evil.example/watch?v=" + ID)

    pin = services.track_pin(track=TrackFactory.create(), url_or_candidate=candidate, user=user)

    assert pin.url == expected


def test_a_candidate_without_a_video_id_cannot_be_pinned(youtube: None, user: Any) -> None:
    with pytest.raises(PinError):
        services.track_pin(
            track=TrackFactory.create(),
            url_or_candidate=_candidate(id="../../etc", url=None),
            user=user,
        )

    assert not TrackPin.objects.exists()


def test_pinning_again_replaces_the_choice_and_records_who_and_when(
    youtube: None, user: Any, other_user: Any
) -> None:
    track = TrackFactory.create()
    old = TrackPinFactory.create(
        track=track, owner=user, video_id="oldOLDoldOL", pinned_by=other_user
    )
    TrackPin.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))

    pin = services.track_pin(track=track, url_or_candidate=f"https://youtu.be/{ID}", user=user)

    pin.refresh_from_db()
    assert TrackPin.objects.count() == 1
    assert (pin.pk, pin.video_id, pin.pinned_by) == (old.pk, ID, user)
    assert timezone.now() - pin.created_at < timedelta(minutes=1)


def test_unpinning_forgets_the_choice(user: Any) -> None:
    track = TrackFactory.create()
    TrackPinFactory.create(track=track, owner=user, pinned_by=user)

    assert services.track_unpin(track=track, user=user) is True
    assert services.track_unpin(track=track, user=user) is False
    assert not TrackPin.objects.exists()


def test_an_override_pins_and_queues_a_track_job_in_the_format_although_a_file_is_stored(
    youtube: None,
    user: Any,
    file_on_disk: Callable[..., StoredFile],
    django_capture_on_commit_callbacks: Any,
) -> None:
    track = TrackFactory.create()
    stored = file_on_disk(track, "mp3")
    StoredFile.objects.filter(pk=stored.pk).update(source_id=TOPIC_ID)
    live = candidates_for(track)[0]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        override = services.track_override(
            track=track, url_or_candidate=live, user=user, audio_format="mp3"
        )

    job = override.job
    assert (job.owner, job.kind, job.target_id, job.title, job.audio_format) == (
        user,
        Job.Kind.TRACK,
        track.spotify_id,
        track.name,
        "mp3",
    )
    item = job.items.get()
    assert (item.track_id, item.status, item.stored_file) == (track.pk, JobItem.Status.QUEUED, None)
    assert job.status == Job.Status.QUEUED
    assert (override.pin.video_id, override.pin.pinned_by) == (live.id, user)
    assert len(callbacks) == 1  # the job is enqueued once the pin and the job are committed


def test_an_override_with_a_file_already_from_the_pinned_upload_finishes_at_once(
    youtube: None, user: Any, file_on_disk: Callable[..., StoredFile]
) -> None:
    track = TrackFactory.create()
    stored = file_on_disk(track)
    StoredFile.objects.filter(pk=stored.pk).update(source_id=ID)

    override = services.track_override(
        track=track, url_or_candidate=f"https://youtu.be/{ID}", user=user, audio_format="original"
    )

    item = override.job.items.get()
    assert (item.status, item.stored_file_id, override.job.status) == (
        JobItem.Status.DONE,
        stored.pk,
        Job.Status.COMPLETED,
    )


def test_an_override_that_fails_leaves_neither_pin_nor_job(youtube: None, user: Any) -> None:
    track = TrackFactory.create()

    with pytest.raises(PinError):
        services.track_override(
            track=track,
            url_or_candidate=f"https://youtu.be/{ID}",
            user=user,
            audio_format="flac",
        )

    assert not TrackPin.objects.exists()
    assert not Job.objects.exists()


def test_an_admins_pin_for_everyone_is_followed_by_a_later_job_of_anyone(
    youtube: None, user: Any
) -> None:
    track = TrackFactory.create()
    user.is_staff = True
    services.track_pin(
        track=track, url_or_candidate=f"https://youtu.be/{ID}", user=user, everyone=True
    )
    someone = UserFactory.create(username="cy")

    job = services.track_redownload(track=track, owner=someone, audio_format="original")

    from downloads.worker.work import work_for

    work = work_for(job.items.select_related("track__album").get())
    assert work.pin is not None
    assert (work.pin.id, work.pin.url) == (ID, f"https://www.youtube.com/watch?v={ID}")
