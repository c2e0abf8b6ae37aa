"""The households migration carries an installation over: pins become installation-wide pins
(who set them kept), files keep their rows and paths."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True)]

BEFORE = [("downloads", "0002_sync")]


def test_existing_pins_become_installation_wide_and_files_keep_their_paths() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    person = old.get_model("auth", "User").objects.create(username="first")
    track = old.get_model("library", "Track").objects.create(
        spotify_id="track0000000000000001", name="The Letter", duration_ms=1000
    )
    old.get_model("downloads", "TrackPin").objects.create(
        track=track, video_id="pinnedVideo", pinned_by=person
    )
    old.get_model("downloads", "StoredFile").objects.create(
        track=track, audio_format="original", path="A/B/01 The Letter.opus", source_id="x1"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps

    pin = new.get_model("downloads", "TrackPin").objects.get()
    assert (pin.owner_id, pin.pinned_by_id, pin.video_id) == (None, person.pk, "pinnedVideo")
    stored = new.get_model("downloads", "StoredFile").objects.get()
    assert (stored.path, stored.source_id) == ("A/B/01 The Letter.opus", "x1")
