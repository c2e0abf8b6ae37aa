"""The settings pages: a person's lyrics choice and notification URLs, the admin's
installation-wide URLs, the test button, and a failed send shown on the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from downloads.models import LyricsMode, Preferences
from spotifydl.notifications.models import Channel, Kind

pytestmark = [pytest.mark.integration]


def _preferences(client: Client, **fields: Any) -> Any:
    data = {"default_format": "", "sync_schedule": "daily", "playlist_files": "on", **fields}
    return client.post("/settings/", data)


@pytest.mark.django_db
def test_the_lyrics_choice_is_saved_per_person(
    ana: User, ben: User, as_ana: Client, as_ben: Client
) -> None:
    assert _preferences(as_ana, lyrics="plain").status_code == 302
    assert _preferences(as_ben).status_code == 302

    assert Preferences.objects.get(user=ana).lyrics == LyricsMode.PLAIN
    assert Preferences.objects.get(user=ben).lyrics == LyricsMode.SYNCED
    assert '<option value="plain" selected>' in as_ana.get("/settings/").content.decode()


@pytest.mark.django_db
def test_notification_urls_and_kinds_are_saved_and_bad_urls_refused(
    ana: User, as_ana: Client
) -> None:
    answer = as_ana.post(
        "/settings/notifications/",
        {"urls": "json://127.0.0.1:9/hook\n", "kinds": [Kind.JOB_FAILURES, Kind.PAUSED]},
    )
    assert answer.status_code == 302
    channel = Channel.objects.get(owner=ana)
    assert (channel.urls, channel.kinds) == ("json://127.0.0.1:9/hook", ["job_failures", "paused"])

    as_ana.post("/settings/notifications/", {"urls": "nonsense://x", "kinds": []})
    page = as_ana.get("/settings/").content.decode()
    assert "Apprise does not understand: nonsense://…" in page
    assert Channel.objects.get(owner=ana).urls == "json://127.0.0.1:9/hook"


@pytest.mark.django_db
def test_a_failed_send_is_shown_on_the_settings_page(ana: User, as_ana: Client) -> None:
    as_ana.post("/settings/notifications/", {"urls": "json://127.0.0.1:9/hook"})
    Channel.objects.filter(owner=ana).update(
        last_error="A notification service did not accept the message.",
        last_error_at=timezone.now(),
    )

    page = as_ana.get("/settings/").content.decode()

    assert "The last notification could not be sent" in page
    assert "did not accept the message" in page


@pytest.mark.django_db
def test_the_installation_channel_is_the_admins_alone(as_ana: Client, as_ben: Client) -> None:
    data = {"urls": "json://127.0.0.1:9/admin", "kinds": [Kind.PAUSED]}

    assert as_ben.post("/settings/installation/notifications/", data).status_code == 403
    assert as_ana.post("/settings/installation/notifications/", data).status_code == 302

    assert Channel.objects.get(owner=None).kinds == ["paused"]
    assert "Installation notifications" in as_ana.get("/settings/installation/").content.decode()


@pytest.mark.django_db
def test_the_test_button_asks_for_a_url_first(as_ana: Client) -> None:
    as_ana.post("/settings/notifications/test/")

    assert "Save an Apprise URL first." in as_ana.get("/settings/").content.decode()
