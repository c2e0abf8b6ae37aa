"""Existing installations carry over: the earliest person becomes the admin, and everyone who
has signed in stays invited, so turning invite-only on shuts nobody out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("library", "0001_initial")]
AFTER = [("library", "0002_roles_and_sign_in_access")]


@pytest.fixture
def executor() -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_earliest_person_becomes_the_admin_and_everyone_stays_invited(
    executor: MigrationExecutor,
) -> None:
    apps = executor.loader.project_state(BEFORE).apps
    user_model = apps.get_model("auth", "User")
    account_model = apps.get_model("library", "SpotifyAccount")
    now = timezone.now()
    # Created in another order than they joined in: the join date decides.
    for name, days_ago in (("ben", 3), ("ana", 9), ("cleo", 5)):
        user = user_model.objects.create(username=name, date_joined=now - timedelta(days=days_ago))
        account_model.objects.create(user=user, account_key=name, spotify_id=name.upper())

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    admins = apps.get_model("auth", "User").objects.filter(is_staff=True)
    invited = apps.get_model("library", "AllowedAccount").objects.values_list("key", flat=True)
    assert [u.username for u in admins] == ["ana"]
    assert sorted(invited) == ["ana", "ben", "cleo"]
