"""Two people, one track: B's pin changes only B's copy, and B cannot remove A's pin."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from downloads.matches import services
from downloads.models import AudioFormat, JobItem, TrackPin
from sandbox import Sandbox
from tests.factories import SavedTrackFactory, TrackFactory, TrackPinFactory, UserFactory
from tests.matches.flow import download, downloadable_track, heard, other_candidate, run
from tests.support.responses import body


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_bs_pin_leaves_as_file_byte_identical_and_as_link_serving_the_same_bytes(
    media_sandbox: Sandbox, user: Any, other_user: Any
) -> None:
    track, catalog_track = downloadable_track(media_sandbox)
    a_item = download(user, catalog_track).items.get()
    assert a_item.status == JobItem.Status.DONE, a_item.error
    assert a_item.stored_file is not None
    a_path = a_item.stored_file.absolute_path
    before = sha256(a_path)
    a_client = client_of(user)
    served_before = body(a_client.get(f"/files/{a_item.stored_file_id}/"))
    chosen = other_candidate(a_item)

    override = services.track_override(
        track=catalog_track,
        url_or_candidate=f"https://youtu.be/{chosen}",
        user=other_user,
        audio_format=AudioFormat.ORIGINAL,
    )
    b_item = run(override.job).items.get()

    assert b_item.status == JobItem.Status.DONE, b_item.error
    assert b_item.stored_file_id != a_item.stored_file_id
    assert b_item.stored_file is not None
    assert heard(media_sandbox, track, b_item.stored_file.absolute_path) == chosen
    assert sha256(a_path) == before
    assert heard(media_sandbox, track, a_path) == a_item.candidate_id
    assert body(a_client.get(f"/files/{a_item.stored_file_id}/")) == served_before
    # A's next download of the track still uses A's upload, without fetching anything.
    again = download(user, catalog_track).items.get()
    assert (again.stored_file_id, again.match_reason) == (
        a_item.stored_file_id,
        "Already downloaded",
    )


@pytest.mark.django_db
def test_b_cannot_remove_as_pin(user: Any, other_user: Any) -> None:
    track = TrackFactory.create()
    pin = TrackPinFactory.create(track=track, owner=user, pinned_by=user)

    assert services.track_unpin(track=track, user=other_user) is False
    assert services.track_unpin(track=track, user=other_user, everyone=True) is False

    assert TrackPin.objects.filter(pk=pin.pk).exists()


@pytest.mark.django_db
def test_bs_pin_is_bs_alone_and_as_pin_stays_as(user: Any, other_user: Any) -> None:
    track = TrackFactory.create()
    services.track_pin(track=track, url_or_candidate="https://youtu.be/aaaaaaaaaaa", user=user)
    services.track_pin(
        track=track, url_or_candidate="https://youtu.be/bbbbbbbbbbb", user=other_user
    )

    pins = dict(TrackPin.objects.values_list("owner__username", "video_id"))
    assert pins == {"ana": "aaaaaaaaaaa", "bo": "bbbbbbbbbbb"}


@pytest.mark.django_db
def test_only_an_admin_pins_for_everyone_and_the_match_page_says_who(
    user: Any, other_user: Any
) -> None:
    track = TrackFactory.create()
    with pytest.raises(services.PinError):
        services.track_pin(
            track=track,
            url_or_candidate="https://youtu.be/bbbbbbbbbbb",
            user=other_user,
            everyone=True,
        )
    admin = UserFactory.create(username="root", is_staff=True)
    services.track_pin(
        track=track, url_or_candidate="https://youtu.be/ccccccccccc", user=admin, everyone=True
    )
    SavedTrackFactory.create(user=other_user, track=track)

    html = client_of(other_user).get(f"/downloads/tracks/{track.spotify_id}/match/").content
    assert b"Pinned for everyone by root" in html
    assert b"ccccccccccc" in html
