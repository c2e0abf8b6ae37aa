"""factory_boy factories for the sync rows (catalog and jobs: tests.jobs.factories)."""

# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory

from downloads.models import AudioFormat, Subscription, SyncRun
from tests.jobs.factories import UserFactory


class SubscriptionFactory(DjangoModelFactory[Subscription]):
    class Meta:
        model = Subscription

    owner = SubFactory(UserFactory)
    source = Subscription.Source.PLAYLIST
    target_id = Sequence(lambda n: f"syncplaylist{n:010d}")
    title = Sequence(lambda n: f"Synced {n}")
    audio_format = AudioFormat.ORIGINAL
    schedule = Subscription.Schedule.HOURLY


class SyncRunFactory(DjangoModelFactory[SyncRun]):
    class Meta:
        model = SyncRun

    subscription = SubFactory(SubscriptionFactory)
    trigger = SyncRun.Trigger.SCHEDULE
    status = SyncRun.Status.SUCCEEDED
