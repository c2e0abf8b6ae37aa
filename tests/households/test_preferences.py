"""Per-person preferences: each person's default format, sync schedule, playlist files and own
YouTube cookies apply to that person's downloads and nobody else's."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from downloads import services
from downloads.models import AudioFormat, DownloadSettings, Job, Preferences, Subscription
from downloads.playlists import PLAYLISTS_FOLDER
from downloads.preferences import cookies_path_for
from downloads.tasks import run_chunk
from downloads.worker import chunk
from tests.factories import TrackFactory
from tests.support.workers import run_task_in_thread

pytestmark = [pytest.mark.integration]


def cookies_file(value: str) -> bytes:
    return (
        f"# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t2000000000\tSID\t{value}\n"
    ).encode()


def save(client: Client, **fields: Any) -> Any:
    data = {"default_format": "", "sync_schedule": "daily", "playlist_files": "on", **fields}
    return client.post("/settings/", data)


@pytest.mark.django_db
def test_each_persons_default_format_is_their_own_and_the_job_form_starts_from_it(
    as_ana: Client, as_ben: Client
) -> None:
    assert save(as_ana, default_format="opus").status_code == 302

    ana_form = as_ana.get("/downloads/new/").content.decode()
    ben_form = as_ben.get("/downloads/new/").content.decode()

    assert '<option value="opus" selected>' in ana_form
    assert '<option value="original" selected>' in ben_form
    assert DownloadSettings.load().default_format == AudioFormat.ORIGINAL


@pytest.mark.django_db
def test_a_new_subscription_takes_the_persons_own_schedule_and_format(
    as_ana: Client, as_ben: Client, ana: User, ben: User
) -> None:
    save(as_ana, default_format="mp3", sync_schedule="manual")

    as_ana.post("/sync/subscribe/", {"what": "liked"})
    as_ben.post("/sync/subscribe/", {"what": "liked"})

    mine = Subscription.objects.get(owner=ana)
    theirs = Subscription.objects.get(owner=ben)
    assert (mine.schedule, mine.audio_format) == ("manual", "mp3")
    assert (theirs.schedule, theirs.audio_format) == ("daily", "original")


@pytest.mark.django_db
def test_playlist_files_are_written_only_for_people_who_want_them(
    as_ana: Client, ana: User, ben: User, file_on_disk: Any, settings: Any
) -> None:
    save(as_ana, playlist_files="")
    track = TrackFactory.create()
    file_on_disk(track)

    for owner, title in ((ana, "Ana's mix"), (ben, "Ben's mix")):
        services.job_create(
            owner=owner, kind=Job.Kind.PLAYLIST, target_id="x", title=title, tracks=[track]
        )
        services.job_after_finish(job=Job.objects.get(owner=owner))

    written = sorted(p.name for p in (Path(settings.MUSIC_ROOT) / PLAYLISTS_FOLDER).rglob("*"))
    assert written == ["Ben Small", "Ben's mix.m3u8"]  # in Ben's own folder


@pytest.mark.django_db
def test_own_cookies_are_stored_privately_per_person_and_never_shown(
    as_ben: Client, ben: User, settings: Any
) -> None:
    response = save(as_ben, cookies_file=SimpleUploadedFile("c.txt", cookies_file("ben-secret")))

    assert response.status_code == 302
    blob = Preferences.objects.get(user=ben).cookies_blob
    assert "ben-secret" not in blob  # encrypted at rest
    stored = Path(cookies_path_for(user_id=ben.pk) or "/")
    assert stored.read_bytes() == cookies_file("ben-secret")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stored.is_relative_to(Path(settings.DATA_DIR) / "private")
    assert stored.parent.name == str(ben.pk)  # a folder of Ben's own, not the installation's
    page = as_ben.get("/settings/").content.decode()
    assert "ben-secret" not in page and str(stored) not in page
    assert "Your own cookies file is stored" in page


@pytest.mark.django_db(transaction=True)
def test_bens_own_cookies_go_to_bens_jobs_only(
    as_ana: Client, as_ben: Client, ana: User, ben: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    installation = SimpleUploadedFile("c.txt", cookies_file("installation-secret"))
    as_ana.post(
        "/settings/installation/",
        {"default_format": "original", "path_template": "", "cookies_file": installation},
    )
    save(as_ben, cookies_file=SimpleUploadedFile("c.txt", cookies_file("ben-secret")))
    handed: list[str | None] = []

    def sources_spy(names: Any, *, executor: Any, cookiefile: str | None) -> Any:
        handed.append(cookiefile)
        raise ValueError("stop here: the spy only wants the cookies file")

    monkeypatch.setattr(chunk, "build_sources", sources_spy)
    track = TrackFactory.create()
    for owner in (ana, ben):
        job = services.job_create(
            owner=owner, kind=Job.Kind.SELECTION, target_id="", title="t", tracks=[track],
            enqueue=False,
        )  # fmt: skip
        run_task_in_thread(run_chunk, job_id=job.pk, chunk=0)

    for_ana, for_ben = handed
    assert for_ana == cookies_path_for(user_id=ana.pk)
    assert for_ben == cookies_path_for(user_id=ben.pk) != for_ana
    assert Path(for_ben or "").read_bytes() == cookies_file("ben-secret")
    assert Path(for_ana or "").read_bytes() == cookies_file("installation-secret")
