"""The match pages: who may see them, what they show, and the POSTs that change a pin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from downloads import selectors as download_selectors
from downloads.matches import links
from downloads.matches.forms import UNKNOWN_CANDIDATE
from downloads.models import Job, StoredFile, TrackPin
from downloads.pipeline.types import Candidate
from library.models import RecentPlay, SavedAlbum, TopTrack
from tests.factories import (
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    SavedTrackFactory,
    TrackFactory,
    TrackPinFactory,
    UserPlaylistFactory,
)
from tests.matches.helpers import COVER_ID, LIVE_ID, TOPIC_ID, candidates_for, searched_item

pytestmark = pytest.mark.django_db

ID = "dQw4w9WgXcQ"


@pytest.fixture
def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def youtube(settings: Any) -> None:
    settings.MEDIA_SOURCES = ["ytmusic", "youtube"]
    settings.YOUTUBE_WATCH_BASE = "https://www.youtube.com/watch?v="


def _item(owner: Any, **fields: Any) -> Any:
    track = TrackFactory.create(duration_ms=200_000)
    job = JobFactory.create(owner=owner, status=Job.Status.COMPLETED, audio_format="mp3")
    return searched_item(track=track, job=job, **fields)


def _urls(item: Any) -> dict[str, str]:
    sid = item.track.spotify_id
    return {
        "item": reverse("matches:item", args=[item.pk]),
        "track": reverse("matches:track", args=[sid]),
        "pin": reverse("matches:pin", args=[sid]),
        "unpin": reverse("matches:unpin", args=[sid]),
    }


def test_the_urls(user: Any) -> None:
    assert reverse("matches:item", args=[7]) == "/downloads/items/7/match/"
    assert reverse("matches:track", args=["abc"]) == "/downloads/tracks/abc/match/"
    assert reverse("matches:pin", args=["abc"]) == "/downloads/tracks/abc/match/pin/"
    assert reverse("matches:unpin", args=["abc"]) == "/downloads/tracks/abc/match/unpin/"


@pytest.mark.parametrize("name", ["item", "track", "pin", "unpin"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, user: Any, name: str) -> None:
    url = _urls(_item(user))[name]

    response = client.post(url) if name in ("pin", "unpin") else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_another_persons_item_and_track_are_404_everywhere(
    signed_in: Client, other_user: Any
) -> None:
    item = _item(other_user)
    TrackPinFactory.create(track=item.track, pinned_by=other_user)
    urls = _urls(item)

    assert signed_in.get(urls["item"]).status_code == 404
    assert signed_in.get(urls["track"]).status_code == 404
    pin = signed_in.post(urls["pin"], {"candidate": LIVE_ID, "audio_format": "mp3"})
    assert pin.status_code == 404
    assert signed_in.post(urls["unpin"]).status_code == 404
    assert TrackPin.objects.get().pinned_by == other_user
    assert not Job.objects.filter(kind=Job.Kind.TRACK).exists()


def test_posting_with_another_persons_item_is_a_404(
    signed_in: Client, user: Any, other_user: Any
) -> None:
    mine = _item(user)
    theirs = searched_item(track=mine.track, job=JobFactory.create(owner=other_user))

    response = signed_in.post(
        _urls(mine)["pin"], {"candidate": LIVE_ID, "audio_format": "mp3", "item": theirs.pk}
    )

    assert response.status_code == 404
    assert not TrackPin.objects.exists()


def test_a_track_in_the_persons_library_has_a_match_page_without_any_job(
    signed_in: Client, user: Any, other_user: Any
) -> None:
    theirs = _item(other_user)  # someone else's search is the shared story of the file
    SavedTrackFactory.create(user=user, track=theirs.track)

    response = signed_in.get(_urls(theirs)["track"])

    assert response.status_code == 200
    html = response.content.decode()
    assert theirs.match_reason in html
    assert f'data-candidate="{COVER_ID}"' in html
    assert theirs.job.title not in html  # their job is not named, nor linked


def test_the_item_page_shows_the_choice_its_reason_and_every_candidate(
    signed_in: Client, user: Any
) -> None:
    item = _item(user)
    name = item.track.name

    response = signed_in.get(_urls(item)["item"])

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="match-title">{name}</h1>' in html
    assert "Spotify length <span data-spotify-length>3:20</span>" in html
    assert f"<strong data-chosen>{name}</strong>" in html
    assert item.match_reason in html and "Topic upload" in item.match_reason
    ranked = item.alternatives["ranked"]
    ids = [r["candidate"]["id"] for r in ranked]
    assert ids[0] == TOPIC_ID and sorted(ids) == sorted([TOPIC_ID, LIVE_ID, COVER_ID])
    for entry in ranked:
        candidate = entry["candidate"]
        assert f'data-candidate="{candidate["id"]}"' in html
        assert candidate["channel"] in html
        assert f"{entry['score']:.1f}" in html
        assert entry["reason"] in html
    assert 'data-verdict="chosen"' in html and 'data-verdict="rejected"' in html
    assert "YouTube Music song" in html and "YouTube video" in html
    assert '3:21 <span class="muted">(+1 s)</span>' in html  # the Topic upload
    assert '4:20 <span class="muted">(+60 s)</span>' in html  # the live take
    assert '3:17 <span class="muted">(\N{MINUS SIGN}3 s)</span>' in html  # the cover
    assert "downloads it again as MP3" in html
    assert html.count('name="audio_format" value="mp3"') == 3
    assert f'name="item" value="{item.pk}"' in html


def test_only_allowed_media_urls_become_links(signed_in: Client, user: Any) -> None:
    track = TrackFactory.create(duration_ms=200_000)
    good, bad = candidates_for(track)[1], candidates_for(track)[2]
    bad = Candidate(**{**{f: getattr(bad, f) for f in bad.__slots__}, "url": "javascript:x()"})
    item = searched_item(track=track, job=JobFactory.create(owner=user), candidates=[good, bad])

    html = signed_in.get(_urls(item)["item"]).content.decode()

    assert f'href="{good.url}"' in html
    assert "javascript:" not in html


def test_an_item_that_reused_the_file_shows_the_latest_search(signed_in: Client, user: Any) -> None:
    searched = _item(user)
    reused = searched_item(
        track=searched.track,
        job=JobFactory.create(owner=user),
        candidates=[],
        status="done",
        alternatives={},
        match_reason="Already downloaded",
    )

    html = signed_in.get(_urls(reused)["item"]).content.decode()

    assert "This job: Downloaded · Already downloaded" in html
    assert searched.match_reason in html
    assert "From the latest search for this track" in html
    assert f'data-candidate="{LIVE_ID}"' in html


def test_an_installation_pin_shows_who_pinned_it_and_when_and_its_admin_can_remove_it(
    signed_in: Client, user: Any
) -> None:
    user.is_staff = True
    user.save()
    item = _item(user)
    pin = TrackPinFactory.create(track=item.track, video_id=LIVE_ID, pinned_by=user)

    html = signed_in.get(_urls(item)["item"]).content.decode()
    assert f"Pinned for everyone by {user.username}" in html
    assert f"{pin.created_at:%Y}" in html

    response = signed_in.post(_urls(item)["unpin"], {"item": item.pk, "everyone": "on"})

    assert response.status_code == 302
    assert response["Location"] == _urls(item)["item"]
    assert not TrackPin.objects.exists()
    after = signed_in.get(response["Location"]).content.decode()
    assert "The pin of" in after and "Pinned for everyone" not in after


def test_choosing_another_candidate_pins_it_and_starts_a_track_job(
    signed_in: Client, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(user)

    with django_capture_on_commit_callbacks(execute=False):
        response = signed_in.post(
            _urls(item)["pin"], {"candidate": COVER_ID, "audio_format": "mp3", "item": item.pk}
        )

    job = Job.objects.get(kind=Job.Kind.TRACK)
    assert response.status_code == 302
    assert response["Location"] == reverse("downloads:job", args=[job.pk])
    assert (job.owner, job.audio_format, job.items.get().track_id) == (user, "mp3", item.track_id)
    pin = TrackPin.objects.get()
    assert (pin.track_id, pin.video_id, pin.pinned_by) == (item.track_id, COVER_ID, user)
    assert pin.url == f"https://www.youtube.com/watch?v={COVER_ID}"


def test_a_pasted_link_pins_its_canonical_url(signed_in: Client, user: Any, youtube: None) -> None:
    item = _item(user)

    response = signed_in.post(
        _urls(item)["pin"],
        {"link": f"https://music.youtube.com/watch?v={ID}&si=x", "audio_format": "original"},
    )

    assert response.status_code == 302
    pin = TrackPin.objects.get()
    assert (pin.video_id, pin.url) == (ID, f"https://music.youtube.com/watch?v={ID}")
    assert Job.objects.get(kind=Job.Kind.TRACK).audio_format == "original"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"link": "https://youtube.com@evil.com/"}, links.HIDDEN_ADDRESS),
        ({"link": f"https://youtube.com.evil.com/watch?v={ID}"}, links.OTHER_SITE),
        ({"link": "javascript:alert(1)"}, links.NOT_A_LINK),
        ({"candidate": "notThereAAA"}, UNKNOWN_CANDIDATE),
        ({"candidate": LIVE_ID, "link": f"https://youtu.be/{ID}"}, "not both"),
        ({}, "Choose one of the listed uploads, or paste"),
    ],
)
def test_a_refused_choice_is_explained_on_the_page_and_changes_nothing(
    signed_in: Client, user: Any, data: dict[str, str], message: str
) -> None:
    item = _item(user)

    response = signed_in.post(_urls(item)["pin"], {"audio_format": "mp3", **data})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert message.replace("'", "&#x27;") in html
    assert not TrackPin.objects.exists()
    assert not Job.objects.filter(kind=Job.Kind.TRACK).exists()


def test_changes_need_post_and_a_csrf_token(user: Any) -> None:
    item = _item(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.get(_urls(item)["pin"]).status_code == 405
    assert client.get(_urls(item)["unpin"]).status_code == 405
    posted = client.post(_urls(item)["pin"], {"candidate": LIVE_ID, "audio_format": "mp3"})
    assert posted.status_code == 403
    assert not TrackPin.objects.exists()


def test_every_job_row_links_to_its_match_page(signed_in: Client, user: Any) -> None:
    item = _item(user)

    html = signed_in.get(reverse("downloads:job", args=[item.job_id])).content.decode()

    assert f'href="{_urls(item)["item"]}"' in html
    assert f'aria-label="Match details for {item.track.name}"' in html


def test_the_track_state_badge_links_to_the_match_page_once_finished(
    user: Any, file_on_disk: Callable[..., StoredFile]
) -> None:
    item = _item(user)
    file_on_disk(item.track)
    states = download_selectors.track_states(user=user, track_ids=[item.track_id])

    linked = render_to_string(
        "downloads/_track_state.html", {"state": states[item.track_id], "track": item.track}
    )
    plain = render_to_string("downloads/_track_state.html", {"state": states[item.track_id]})
    waiting = render_to_string(
        "downloads/_track_state.html",
        {"state": download_selectors.NOT_DOWNLOADED, "track": item.track},
    )

    assert f'<a class="track-state track-state-downloaded" href="{_urls(item)["track"]}"' in linked
    assert "<a " not in plain and 'class="track-state track-state-downloaded"' in plain
    assert "<a " not in waiting


def _saved(user: Any, track: Any) -> None:
    SavedTrackFactory.create(user=user, track=track)


def _listed(user: Any, track: Any) -> None:
    entry = PlaylistEntryFactory.create(track=track)
    UserPlaylistFactory.create(user=user, playlist=entry.playlist)


def _album_saved(user: Any, track: Any) -> None:
    SavedAlbum.objects.create(user=user, album=track.album)


def _top(user: Any, track: Any) -> None:
    TopTrack.objects.create(user=user, track=track, time_range="short_term", rank=1)


def _played(user: Any, track: Any) -> None:
    RecentPlay.objects.create(user=user, track=track, played_at=timezone.now())


def _downloaded(user: Any, track: Any) -> None:
    JobItemFactory.create(job=JobFactory.create(owner=user), track=track)


@pytest.mark.parametrize("link", [_saved, _listed, _album_saved, _top, _played, _downloaded])
def test_a_track_is_visible_through_any_part_of_the_persons_library(
    signed_in: Client, user: Any, other_user: Any, link: Callable[[Any, Any], None]
) -> None:
    track, elsewhere = TrackFactory.create(), TrackFactory.create()
    link(user, track)
    link(other_user, elsewhere)

    assert signed_in.get(reverse("matches:track", args=[track.spotify_id])).status_code == 200
    assert signed_in.get(reverse("matches:track", args=[elsewhere.spotify_id])).status_code == 404


def test_an_unknown_item_or_track_is_a_404(signed_in: Client) -> None:
    assert signed_in.get(reverse("matches:item", args=[999])).status_code == 404
    assert signed_in.get(reverse("matches:track", args=["nope"])).status_code == 404


def test_an_item_without_a_match_shows_why_and_offers_every_candidate(
    signed_in: Client, user: Any
) -> None:
    track = TrackFactory.create(duration_ms=200_000)
    rejected = [c for c in candidates_for(track) if c.id != TOPIC_ID]
    item = searched_item(track=track, job=JobFactory.create(owner=user), candidates=rejected)
    assert item.status == "no_match"

    html = signed_in.get(_urls(item)["item"]).content.decode()

    assert "No candidate was good enough" in html
    assert "No candidate matched: best was" in html
    assert html.count(">Use this one</button>") == 2
    assert "This track has no file yet." in html


def test_a_track_never_searched_still_takes_a_link(signed_in: Client, user: Any) -> None:
    track = TrackFactory.create()
    _saved(user, track)

    html = signed_in.get(reverse("matches:track", args=[track.spotify_id])).content.decode()

    assert "No search results are stored for this track" in html
    assert 'name="link"' in html and "Use this one" not in html
