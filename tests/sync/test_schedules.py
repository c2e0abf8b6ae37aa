"""Schedules live in the database: when a subscription is due, and how a schedule moves on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads.models import Subscription, SyncRun
from downloads.sync import runs, services
from downloads.sync.tasks import sync_run_task
from tests.factories import (
    PlaylistFactory,
    SubscriptionFactory,
    SyncRunFactory,
    UserPlaylistFactory,
)

pytestmark = pytest.mark.django_db


def test_a_new_hourly_subscription_syncs_at_once_and_is_next_due_in_an_hour(
    django_capture_on_commit_callbacks: Any,
) -> None:
    membership = UserPlaylistFactory.create(playlist=PlaylistFactory.create(name="Mix"))
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        subscription, created = services.subscription_create(
            owner=membership.user,
            source="playlist",
            target_id=membership.playlist.spotify_id,
            audio_format="mp3",
            schedule="hourly",
        )

    assert created and subscription.title == "Mix"
    assert subscription.next_run_at is not None
    assert timedelta(hours=1) <= subscription.next_run_at - before < timedelta(hours=1, minutes=1)
    run = subscription.runs.get()
    assert (run.status, run.trigger) == ("queued", "subscribe")
    task = DBTaskResult.objects.get(task_path=sync_run_task.module_path)
    assert task.args_kwargs["kwargs"] == {"run_id": run.pk}


def test_subscribing_again_changes_the_format_and_schedule_without_a_second_subscription() -> None:
    membership = UserPlaylistFactory.create()
    first, _ = services.subscription_create(
        owner=membership.user,
        source="playlist",
        target_id=membership.playlist.spotify_id,
        audio_format="original",
        schedule="daily",
        start=False,
    )

    again, created = services.subscription_create(
        owner=membership.user,
        source="playlist",
        target_id=membership.playlist.spotify_id,
        audio_format="opus",
        schedule="manual",
    )

    assert (created, again.pk) == (False, first.pk)
    assert (again.audio_format, again.schedule, again.next_run_at) == ("opus", "manual", None)
    assert Subscription.objects.count() == 1
    assert not SyncRun.objects.exists()


def test_a_playlist_outside_the_persons_library_cannot_be_subscribed() -> None:
    membership = UserPlaylistFactory.create(readable=False, unreadable_reason="Followed only.")
    stranger = UserPlaylistFactory.create()

    with pytest.raises(LookupError, match="Followed only"):
        services.subscription_create(
            owner=membership.user,
            source="playlist",
            target_id=membership.playlist.spotify_id,
            audio_format="original",
            schedule="daily",
        )
    with pytest.raises(LookupError, match="not in your library"):
        services.subscription_create(
            owner=membership.user,
            source="playlist",
            target_id=stranger.playlist.spotify_id,
            audio_format="original",
            schedule="daily",
        )


def test_only_scheduled_subscriptions_whose_time_has_come_are_due() -> None:
    now = timezone.now()
    due = SubscriptionFactory.create(next_run_at=now - timedelta(seconds=1))
    SubscriptionFactory.create(next_run_at=now + timedelta(seconds=1))
    SubscriptionFactory.create(schedule="manual", next_run_at=now - timedelta(days=1))

    runs = services.subscriptions_run_due(now=now)

    assert [run.subscription_id for run in runs] == [due.pk]


def test_the_schedule_keeps_its_beat_and_does_not_pile_up_missed_runs() -> None:
    now = timezone.now()
    on_time = SubscriptionFactory.create(next_run_at=now - timedelta(seconds=20))
    after_downtime = SubscriptionFactory.create(
        schedule="daily", next_run_at=now - timedelta(days=3)
    )

    services.subscriptions_run_due(now=now)

    on_time.refresh_from_db()
    after_downtime.refresh_from_db()
    assert on_time.next_run_at == now - timedelta(seconds=20) + timedelta(hours=1)
    assert after_downtime.next_run_at == now + timedelta(days=1)


def test_a_due_subscription_whose_sync_still_waits_gets_no_second_one() -> None:
    now = timezone.now()
    subscription = SubscriptionFactory.create(next_run_at=now - timedelta(minutes=1))
    waiting = SyncRunFactory.create(subscription=subscription, status="queued")

    assert services.subscriptions_run_due(now=now) == []

    subscription.refresh_from_db()
    assert subscription.runs.get() == waiting
    assert subscription.next_run_at is not None and subscription.next_run_at > now


def test_a_sync_left_running_by_a_dead_worker_is_failed_and_replaced() -> None:
    subscription = SubscriptionFactory.create()
    dead = SyncRunFactory.create(
        subscription=subscription,
        status="running",
        started_at=timezone.now() - SyncRun.STALE_RUNNING_AFTER - timedelta(seconds=1),
    )

    run, created = services.subscription_sync_enqueue(subscription=subscription)

    dead.refresh_from_db()
    assert created and run.status == "queued"
    assert dead.status == "failed"
    assert dead.summary == runs.INTERRUPTED


def test_sync_now_while_a_sync_waits_adds_nothing() -> None:
    subscription = SubscriptionFactory.create()
    first, created = services.subscription_sync_enqueue(subscription=subscription)

    second, again = services.subscription_sync_enqueue(subscription=subscription)

    assert (created, again, second.pk) == (True, False, first.pk)
    assert subscription.runs.count() == 1


def test_changing_the_schedule_counts_from_now() -> None:
    subscription = SubscriptionFactory.create(schedule="daily", next_run_at=timezone.now())
    before = timezone.now()

    services.subscription_update(subscription=subscription, audio_format="mp3", schedule="hourly")

    subscription.refresh_from_db()
    assert subscription.audio_format == "mp3"
    assert subscription.next_run_at is not None
    assert timedelta(hours=1) <= subscription.next_run_at - before < timedelta(hours=1, seconds=5)
    services.subscription_update(subscription=subscription, audio_format="mp3", schedule="manual")
    subscription.refresh_from_db()
    assert subscription.next_run_at is None
