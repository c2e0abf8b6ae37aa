"""The subscription pages: sign-in required, only one's own subscriptions, POST with CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from downloads.models import Subscription, SyncRun
from tests.factories import (
    PlaylistFactory,
    SubscriptionFactory,
    SyncRunFactory,
    UserFactory,
    UserPlaylistFactory,
)
from tests.support.files import playlist_with_files

pytestmark = [pytest.mark.django_db]

ACTIONS = ("sync:change", "sync:sync_now", "sync:unsubscribe")
PAGES = ("sync:subscription", "sync:runs")


@pytest.fixture
def ana() -> Any:
    return UserFactory.create(username="ana")


@pytest.fixture
def signed_in(ana: Any) -> Client:
    client = Client()
    client.force_login(ana)
    return client


def test_the_pages_need_a_signed_in_person() -> None:
    subscription = SubscriptionFactory.create()

    for name in ("sync:subscriptions", *(f"{p}|{subscription.pk}" for p in PAGES)):
        url_name, _, pk = name.partition("|")
        url = reverse(url_name, args=[int(pk)] if pk else [])
        response = Client().get(url)
        assert (response.status_code, response["Location"]) == (302, f"/?next={url}")


def test_someone_elses_subscription_is_not_found(signed_in: Client) -> None:
    theirs = SubscriptionFactory.create()

    for name in PAGES:
        assert signed_in.get(reverse(name, args=[theirs.pk])).status_code == 404
    for name in ACTIONS:
        data = {"audio_format": "mp3", "schedule": "manual"}
        assert signed_in.post(reverse(name, args=[theirs.pk]), data).status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk, schedule="hourly").exists()
    assert not SyncRun.objects.exists()


def test_actions_answer_only_posts_with_a_csrf_token(ana: Any) -> None:
    subscription = SubscriptionFactory.create(owner=ana)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ana)

    for name in ACTIONS:
        url = reverse(name, args=[subscription.pk])
        assert strict.get(url).status_code == 405
        assert strict.post(url).status_code == 403
    assert strict.post(reverse("sync:subscribe"), {"what": "liked"}).status_code == 403
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_list_shows_ones_own_subscriptions_with_their_latest_summary(
    signed_in: Client, ana: Any
) -> None:
    mine = SubscriptionFactory.create(owner=ana, title="Road Mix")
    SyncRunFactory.create(subscription=mine, summary="added 1, removed 0, kept 2")
    SyncRunFactory.create(subscription=mine, summary="added 10, removed 2, kept 50")
    SubscriptionFactory.create(title="Someone Else's Mix")
    UserPlaylistFactory.create(user=ana, playlist=PlaylistFactory.create(name="Night Drive"))

    page = signed_in.get(reverse("sync:subscriptions")).content.decode()

    assert "Road Mix" in page and "added 10, removed 2, kept 50" in page
    assert "added 1, removed 0, kept 2" not in page
    assert "Someone Else" not in page
    assert "Night Drive" in page and "Liked Songs" in page and "Saved albums" in page


def test_subscribing_to_a_playlist_starts_a_first_sync(signed_in: Client, ana: Any) -> None:
    membership = UserPlaylistFactory.create(user=ana, playlist=PlaylistFactory.create(name="Mix"))
    data = {
        "what": f"playlist:{membership.playlist.spotify_id}",
        "audio_format": "opus",
        "schedule": "hourly",
    }

    response = signed_in.post(reverse("sync:subscribe"), data, follow=True)

    subscription = Subscription.objects.get(owner=ana)
    assert response.redirect_chain == [(reverse("sync:subscription", args=[subscription.pk]), 302)]
    assert (subscription.source, subscription.audio_format, subscription.schedule) == (
        "playlist",
        "opus",
        "hourly",
    )
    assert subscription.runs.get().status == "queued"
    assert "Subscribed to Mix: the first sync is on its way." in response.content.decode()


def test_a_keep_in_sync_button_subscribes_with_defaults_and_goes_back(signed_in: Client) -> None:
    response = signed_in.post(reverse("sync:subscribe"), {"what": "liked", "next": "/liked/"})

    assert (response.status_code, response["Location"]) == (302, "/liked/")
    subscription = Subscription.objects.get()
    assert (subscription.title, subscription.schedule, subscription.audio_format) == (
        "Liked Songs",
        "daily",
        "original",
    )
    other_site = signed_in.post(
        reverse("sync:subscribe"), {"what": "albums", "next": "https://x.example/"}
    )
    assert other_site["Location"] != "https://x.example/"


def test_a_playlist_not_in_ones_library_is_refused(signed_in: Client) -> None:
    theirs = UserPlaylistFactory.create()

    response = signed_in.post(
        reverse("sync:subscribe"), {"what": f"playlist:{theirs.playlist.spotify_id}"}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Subscription.objects.exists()


def test_sync_now_queues_one_sync_and_says_so(signed_in: Client, ana: Any) -> None:
    subscription = SubscriptionFactory.create(owner=ana)
    url = reverse("sync:sync_now", args=[subscription.pk])

    first = signed_in.post(url, follow=True).content.decode()
    second = signed_in.post(url, follow=True).content.decode()

    assert "Syncing: the result appears below in a moment." in first
    assert "A sync of this subscription is already on its way." in second
    run = subscription.runs.get()
    assert (run.status, run.trigger) == ("queued", "manual")
    assert f'hx-get="{reverse("sync:runs", args=[subscription.pk])}"' in second


def test_the_subscription_page_lists_its_syncs_and_stops_polling_when_done(
    signed_in: Client, ana: Any
) -> None:
    subscription = SubscriptionFactory.create(owner=ana, title="Road Mix")
    SyncRunFactory.create(subscription=subscription, summary="added 10, removed 2, kept 50")
    SyncRunFactory.create(
        subscription=subscription, status="failed", summary="Spotify could not be reached."
    )

    page = signed_in.get(reverse("sync:subscription", args=[subscription.pk])).content.decode()
    runs = signed_in.get(reverse("sync:runs", args=[subscription.pk])).content.decode()

    for html in (page, runs):
        assert "added 10, removed 2, kept 50" in html
        assert "Spotify could not be reached." in html
        assert "hx-get" not in html


def test_changing_and_unsubscribing(signed_in: Client, ana: Any) -> None:
    subscription = SubscriptionFactory.create(owner=ana, schedule="hourly")

    changed = signed_in.post(
        reverse("sync:change", args=[subscription.pk]),
        {"audio_format": "mp3", "schedule": "manual"},
    )
    subscription.refresh_from_db()
    assert changed.status_code == 302
    assert (subscription.audio_format, subscription.schedule, subscription.next_run_at) == (
        "mp3",
        "manual",
        None,
    )

    gone = signed_in.post(reverse("sync:unsubscribe", args=[subscription.pk]), follow=True)
    assert gone.redirect_chain == [(reverse("sync:subscriptions"), 302)]
    assert "Its files stay where they are." in gone.content.decode()
    assert not Subscription.objects.exists()


def test_the_keep_in_sync_button_for_browse_pages_posts_the_source_or_links_to_it(
    rf: Any, ana: Any
) -> None:
    request = rf.get("/playlists/x/")
    request.user = ana
    subscription = SubscriptionFactory.create(owner=ana, schedule="hourly")

    button = render_to_string(
        "sync/_subscribe_button.html", {"what": "playlist:abc", "next": "/p/"}, request
    )
    linked = render_to_string(
        "sync/_subscribe_button.html", {"subscription": subscription}, request
    )

    assert f'action="{reverse("sync:subscribe")}"' in button
    assert 'name="what" value="playlist:abc"' in button
    assert 'name="next" value="/p/"' in button
    assert 'name="csrfmiddlewaretoken"' in button
    assert f'href="{reverse("sync:subscription", args=[subscription.pk])}"' in linked
    assert "In sync · every hour" in linked


def test_a_playlist_page_offers_to_keep_it_in_sync_and_then_links_to_the_subscription(
    signed_in: Client, ana: Any
) -> None:
    playlist, _ = playlist_with_files(ana)
    url = reverse("library:playlist", args=[playlist.spotify_id])

    before = signed_in.get(url).content.decode()
    signed_in.post(
        reverse("sync:subscribe"), {"what": f"playlist:{playlist.spotify_id}", "next": url}
    )
    after = signed_in.get(url).content.decode()

    subscription = Subscription.objects.get(owner=ana)
    assert "Keep in sync" in before
    assert reverse("sync:subscription", args=[subscription.pk]) in after
