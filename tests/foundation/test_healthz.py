from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from spotifydl.heartbeat import beat_record, beats_mark_down
from spotifydl.models import WorkerBeat

pytestmark = [pytest.mark.django_db]


def test_healthz_answers_ok_after_a_database_round_trip(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "workers": []}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable(client: Client) -> None:
    # A database outage cannot be produced on demand here; the cursor failing is what it looks like.
    with mock.patch("spotifydl.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_lists_each_workers_last_heartbeat(client: Client) -> None:
    beat_record(name="host:8000/worker-1", started=True)

    workers = client.get("/healthz").json()["workers"]

    assert [(w["name"], w["state"]) for w in workers] == [("host:8000/worker-1", "up")]
    assert workers[0]["seconds_since_beat"] < 15


def test_healthz_says_degraded_with_a_200_while_a_worker_is_down(client: Client) -> None:
    beat_record(name="host:8000/worker-1", started=True)
    beat_record(name="host:8000/worker-2", started=True)
    beats_mark_down(name="host:8000/worker-2")

    response = client.get("/healthz")

    assert response.status_code == 200  # the container healthcheck keeps passing
    assert response.json()["status"] == "degraded"
    assert [w["state"] for w in response.json()["workers"]] == ["up", "down"]


def test_a_worker_whose_beats_stopped_is_down_and_its_next_beat_brings_it_back(
    client: Client,
) -> None:
    beat_record(name="elsewhere/42", started=True)
    WorkerBeat.objects.update(beat_at=timezone.now() - timedelta(seconds=20))
    assert client.get("/healthz").json()["status"] == "degraded"

    beat_record(name="elsewhere/42", started=False)

    assert client.get("/healthz").json()["status"] == "ok"


def test_a_worker_silent_for_an_hour_was_removed_and_no_longer_degrades(client: Client) -> None:
    beat_record(name="elsewhere/42", started=True)
    WorkerBeat.objects.update(beat_at=timezone.now() - timedelta(hours=2))

    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "workers": []}
