"""Each due sync runs exactly once, however many workers look for due syncs at the same time.

PostgreSQL: claims use SELECT ... FOR UPDATE SKIP LOCKED. SQLite: IMMEDIATE transactions
serialize them. Both race for real here: threads with a connection each, and two real
`db_worker` processes running the maintenance task.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads.models import Subscription, SyncRun
from downloads.sync import runs, services
from downloads.sync.tasks import sync_run_task
from downloads.tasks import maintain
from sandbox import Sandbox
from tests.factories import SubscriptionFactory, UserFactory
from tests.support.processes import free_port, manage
from tests.support.waiting import wait_until
from tests.support.workers import stop_worker, worker_env
from tests.sync.world import playlist_id, subscribe

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKERS = 2


def _race(claim: Callable[[], list[int]]) -> list[list[int]]:
    """Run `claim` in WORKERS threads released at the same instant, each on its own connection."""
    start = threading.Barrier(WORKERS)

    def worker() -> list[int]:
        try:
            start.wait()
            return claim()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(worker) for _ in range(WORKERS)]
        return [future.result() for future in futures]


def test_workers_racing_for_due_subscriptions_claim_each_exactly_once() -> None:
    now = timezone.now()
    owners = UserFactory.create_batch(3)
    due = [
        SubscriptionFactory.create(owner=owners[i % 3], next_run_at=now - timedelta(minutes=i))
        for i in range(30)
    ]
    SubscriptionFactory.create(next_run_at=now + timedelta(minutes=5))  # not yet due
    SubscriptionFactory.create(schedule=Subscription.Schedule.MANUAL, next_run_at=None)

    def claim() -> list[int]:
        claimed: list[int] = []
        # Small batches, over and over: the two workers' claims interleave all along.
        while runs := services.subscriptions_run_due(now=now, limit=2):
            claimed += [run.subscription_id for run in runs]
        return claimed

    results = _race(claim)

    claims = Counter(pk for claimed in results for pk in claimed)
    assert sorted(claims) == sorted(s.pk for s in due)
    assert set(claims.values()) == {1}
    assert SyncRun.objects.count() == len(due)
    assert set(SyncRun.objects.values_list("status", "trigger")) == {("queued", "schedule")}
    tasks = DBTaskResult.objects.filter(task_path=sync_run_task.module_path)
    assert sorted(t.args_kwargs["kwargs"]["run_id"] for t in tasks) == sorted(
        SyncRun.objects.values_list("pk", flat=True)
    )
    for subscription in due:
        subscription.refresh_from_db()
        assert subscription.next_run_at is not None and subscription.next_run_at > now
    assert services.subscriptions_run_due(now=now) == []


def test_subscriptions_another_worker_is_claiming_are_never_claimed_twice() -> None:
    """PostgreSQL skips the rows another claim holds; SQLite makes the second claim wait for the
    first to commit, and then they are no longer due. Either way each is claimed once."""
    now = timezone.now()
    held = SubscriptionFactory.create_batch(3, next_run_at=now - timedelta(minutes=5))
    free = SubscriptionFactory.create_batch(2, next_run_at=now - timedelta(minutes=5))
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        """Mid-claim: its due rows locked and moved on, its transaction not yet committed."""
        try:
            with transaction.atomic():
                rows = Subscription.objects.select_for_update().filter(pk__in=[s.pk for s in held])
                for subscription in rows:
                    subscription.next_run_at = subscription.next_run_after(now)
                    subscription.save(update_fields=["next_run_at"])
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(other_worker)
        assert locked.wait(timeout=30)
        if connection.vendor == "sqlite":
            # The write lock is the other worker's until it commits: this claim has to wait.
            threading.Timer(0.5, release.set).start()
        runs = services.subscriptions_run_due(now=now)
        released_before_the_claim_ended = release.is_set()
        release.set()
        holder.result()

    assert sorted(run.subscription_id for run in runs) == sorted(s.pk for s in free)
    # PostgreSQL skips the locked rows instead of waiting for them; on SQLite the write lock is
    # the other worker's until it commits, so the claim waited for it.
    assert released_before_the_claim_ended == (connection.vendor == "sqlite")
    assert services.subscriptions_run_due(now=now) == []


def test_workers_racing_to_run_the_same_queued_sync_run_it_once(sb: Sandbox, reader: Any) -> None:
    ana = reader("ana")
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, playlist_id(sb, "ana", "Road Mix"))
    run, created = services.subscription_sync_enqueue(subscription=subscription)
    assert created
    sb.reset_counters()

    def execute() -> list[int]:
        runs.sync_run_execute(run_id=run.pk, enqueue_downloads=False)
        return []

    _race(execute)

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert sb.requests["GET /v1/playlists/{id}"] == 1
    assert subscription.runs.count() == 1
    assert run.job is not None and run.job.total == run.added


# --- real worker processes ------------------------------------------------------------------------


@pytest.fixture
def spotify_workers(sb: Sandbox) -> Iterator[Callable[[], Any]]:
    started: list[Any] = []
    env = worker_env(
        SPOTIFY_CLIENT_ID=settings.SPOTIFY_CLIENT_ID,
        SPOTIFY_API_URL=settings.SPOTIFY_API_URL,
        SPOTIFY_ACCOUNTS_URL=settings.SPOTIFY_ACCOUNTS_URL,
    )
    # The syncs are under test, not their downloads: searching fails at once, nothing waits.
    nowhere = f"http://127.0.0.1:{free_port()}"
    env |= {"YTMUSIC_BASE_URL": nowhere, "YOUTUBE_WATCH_BASE": f"{nowhere}/watch?v="}

    def start() -> Any:
        args = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
        started.append(manage(*args, env=env))
        return started[-1]

    yield start
    for process in started:
        stop_worker(process)


def test_two_worker_processes_run_each_due_sync_exactly_once(
    sb: Sandbox, reader: Any, spotify_workers: Callable[[], Any]
) -> None:
    ana, ben = reader("ana"), reader("ben")
    names = ("Empty (for now)", "A Song Title So Long That It Cannot Possibly Fit", "Road Mix")
    ana_playlists = [
        p["id"] for p in sb.user_library("ana")["playlists"] if p["name"].startswith(names)
    ]
    subscriptions = [
        *(subscribe(ana, Subscription.Source.PLAYLIST, pid) for pid in ana_playlists),
        subscribe(ana, Subscription.Source.ALBUMS),
        subscribe(ben, Subscription.Source.PLAYLIST, playlist_id(sb, "ben", "Deep Mix")),
        subscribe(ben, Subscription.Source.LIKED),
    ]
    due_at = timezone.now() - timedelta(minutes=1)
    Subscription.objects.update(schedule=Subscription.Schedule.HOURLY, next_run_at=due_at)
    sb.reset_counters()
    # Maintenance rounds due at once: both workers take some and look for due syncs together.
    rounds = [maintain.enqueue() for _ in range(2 * WORKERS)]

    for _ in range(WORKERS):
        spotify_workers()
    wait_until(lambda: all(_finished(r.id) for r in rounds))
    wait_until(lambda: not SyncRun.objects.filter(status__in=SyncRun.ACTIVE).exists())

    runs = list(SyncRun.objects.all())
    assert Counter(run.subscription_id for run in runs) == Counter(s.pk for s in subscriptions), (
        connection.vendor
    )
    assert {(run.status, run.trigger) for run in runs} == {("succeeded", "schedule")}, [
        run.summary for run in runs
    ]
    playlists = sum(s.source == Subscription.Source.PLAYLIST for s in subscriptions)
    assert sb.requests["GET /v1/playlists/{id}"] == playlists
    assert sb.requests["GET /v1/me/tracks"] == 1  # Ben's 25 liked songs: one page
    for subscription in subscriptions:
        subscription.refresh_from_db()
        assert subscription.next_run_at == due_at + timedelta(hours=1)


def _finished(task_id: Any) -> bool:
    return DBTaskResult.objects.filter(id=task_id, status="SUCCESSFUL").exists()
