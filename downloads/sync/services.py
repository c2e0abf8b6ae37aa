"""Writes for sync: subscribe, change, unsubscribe, sync now, and claim what is due.

Exactly once: the periodic maintenance task claims due subscriptions with
`select_for_update(skip_locked=True)` and moves `next_run_at` on in the same transaction, so two
workers never claim the same one (on SQLite, IMMEDIATE transactions serialize the claims). A
claimed subscription gets one SyncRun row (at most one waits or runs per subscription, by a
constraint), and the run is executed only by whoever moves it from waiting to running
(downloads.sync.runs).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from downloads import enqueue, playlists
from downloads.models import Subscription
from downloads.models import SyncRun as Run
from downloads.sync import runs, selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DUE_BATCH = 100  # subscriptions claimed per maintenance round; the rest wait for the next one


# --- subscribing -------------------------------------------------------------------------------


def subscription_create(
    *,
    owner: User,
    source: str,
    target_id: str = "",
    audio_format: str,
    schedule: str,
    start: bool = True,
) -> tuple[Subscription, bool]:
    """Subscribe (True), or change the format and schedule of the existing subscription (False).

    A new subscription syncs at once when `start` (after the transaction commits), then on its
    schedule. Raises selectors.SourceNotFound when the source is not in the person's library.
    """
    target_id = target_id if source == Subscription.Source.PLAYLIST else ""
    title = selectors.source_title(user=owner, source=source, target_id=target_id)
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            owner=owner,
            source=source,
            target_id=target_id,
            defaults={"title": title, "audio_format": audio_format, "schedule": schedule},
        )
        if created:
            subscription.next_run_at = subscription.next_run_after(timezone.now())
            subscription.save(update_fields=["next_run_at"])
            if start:
                subscription_sync_enqueue(subscription=subscription, trigger=Run.Trigger.SUBSCRIBE)
        else:
            subscription_update(
                subscription=subscription, audio_format=audio_format, schedule=schedule
            )
    return subscription, created


def subscription_update(
    *, subscription: Subscription, audio_format: str, schedule: str
) -> Subscription:
    """A new format applies from the next sync; a new schedule counts from now."""
    if schedule != subscription.schedule:
        subscription.schedule = schedule
        subscription.next_run_at = None
        subscription.next_run_at = subscription.next_run_after(timezone.now())
    subscription.audio_format = audio_format
    subscription.save(update_fields=["schedule", "next_run_at", "audio_format", "updated_at"])
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    """Stop syncing. Music files stay (they are the library's as much as the subscription's);
    the person's playlist file of it goes."""
    playlists.playlist_file_remove(
        owner=subscription.owner, source=subscription.source, target_id=subscription.target_id
    )
    subscription.delete()


# --- starting syncs -----------------------------------------------------------------------------


def subscription_sync_enqueue(
    *, subscription: Subscription, trigger: str = Run.Trigger.MANUAL
) -> tuple[Run, bool]:
    """Queue a sync for a worker (True), or the sync already waiting or running (False)."""
    with transaction.atomic():
        run, created = runs.run_create(subscription, trigger)
        if created:
            transaction.on_commit(lambda: enqueue.sync_run_enqueue(run_id=run.pk))
    return run, created


def subscription_sync(
    *,
    subscription: Subscription,
    trigger: str = Run.Trigger.COMMAND,
    enqueue_downloads: bool = True,
) -> Run:
    """Sync now, in this thread (the command line); a sync running elsewhere is returned as is.

    A sync waiting for a worker is run here instead (its task then finds nothing to do).
    """
    with transaction.atomic():
        run, _created = runs.run_create(subscription, trigger)
    if run.status == Run.Status.RUNNING:
        return run
    return runs.sync_run_execute(run_id=run.pk, enqueue_downloads=enqueue_downloads) or run


def subscriptions_run_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> list[Run]:
    """Claim the subscriptions whose time has come and queue one sync each; returns the syncs.

    Safe with any number of callers at once: each due subscription is claimed by exactly one.
    """
    now = now or timezone.now()
    claimed: list[Run] = []
    with transaction.atomic():
        due = (
            Subscription.objects.select_for_update(skip_locked=True)
            .filter(next_run_at__lte=now)
            .exclude(schedule=Subscription.Schedule.MANUAL)
            .order_by("next_run_at", "pk")[:limit]
        )
        for subscription in due:
            subscription.next_run_at = subscription.next_run_after(now)
            subscription.save(update_fields=["next_run_at", "updated_at"])
            run, created = runs.run_create(subscription, Run.Trigger.SCHEDULE)
            if created:
                claimed.append(run)
        if claimed:
            ids = [run.pk for run in claimed]
            transaction.on_commit(lambda: _runs_enqueue(ids))
    return claimed


def _runs_enqueue(run_ids: list[int]) -> None:
    for run_id in run_ids:
        enqueue.sync_run_enqueue(run_id=run_id)
