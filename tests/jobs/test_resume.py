"""A cancelled job goes on with the tracks its cancel left undone: the service, the page's
Resume button, the API and `manage.py download --resume JOB`; nobody resumes someone else's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from downloads import services
from downloads.models import Job, JobItem, StoredFile
from tests.factories import JobFactory, JobItemFactory

pytestmark = pytest.mark.django_db


def _cancelled(owner: Any) -> Job:
    """Two tracks downloaded, one failed, two cancelled."""
    job = JobFactory.create(owner=owner, status=Job.Status.CANCELLED)
    for position, state in enumerate(["done", "done", "failed", "cancelled", "cancelled"]):
        JobItemFactory.create(job=job, position=position, status=state)
    job.refresh_counters()
    return job


def _states(job: Job) -> list[str]:
    return list(job.items.order_by("position").values_list("status", flat=True))


def test_resuming_queues_only_the_cancelled_tracks_and_reopens_the_job(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _cancelled(user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = services.job_resume(job=job, user=user)

    job.refresh_from_db()
    assert count == 2
    assert _states(job) == ["done", "done", "failed", "queued", "queued"]
    assert (job.status, job.cancelled, job.cancel_requested) == (Job.Status.QUEUED, 0, False)
    assert len(callbacks) == 1  # the chunks are enqueued once the transaction commits


def test_nobody_resumes_another_persons_job(user: Any, other_user: Any) -> None:
    job = _cancelled(other_user)

    with pytest.raises(Job.DoesNotExist):
        services.job_resume(job=job, user=user)
    assert _states(job)[-1] == "cancelled"


def test_the_resume_button_resumes_and_another_person_gets_a_404(
    client: Client, user: Any, other_user: Any
) -> None:
    mine, theirs = _cancelled(user), _cancelled(other_user)
    client.force_login(user)

    page = client.get(reverse("downloads:job", args=[mine.pk])).content.decode()
    resumed = client.post(reverse("downloads:job_resume", args=[mine.pk]), HTTP_HX_REQUEST="true")
    refused = client.post(reverse("downloads:job_resume", args=[theirs.pk]))

    assert f'action="/downloads/{mine.pk}/resume/"' in page
    assert "Resuming 2 tracks." in resumed.content.decode()
    assert resumed["HX-Trigger"] == "job-active"  # the page listens to the job again
    assert refused.status_code == 404
    assert _states(theirs)[-1] == "cancelled"


def test_the_api_resumes_through_the_same_service(client: Client, user: Any) -> None:
    job = _cancelled(user)
    client.force_login(user)

    answer = client.post(f"/api/v1/jobs/{job.pk}/resume", HTTP_X_CSRFTOKEN="x")

    assert answer.json() == {"detail": "Resuming 2 tracks.", "count": 2}


@pytest.mark.django_db(transaction=True)  # the run reads the job from its own threads
def test_the_cli_resumes_a_cancelled_job_and_runs_it_to_the_end(
    user: Any, file_on_disk: Callable[..., StoredFile], settings: Any
) -> None:
    settings.SPOTIFY_CLIENT_ID = "an-app-of-their-own"  # not the demo: no sandbox to find
    job = _cancelled(user)
    for item in job.items.filter(status=JobItem.Status.CANCELLED):
        file_on_disk(item.track)  # on disk already: the run finishes without the network

    with pytest.raises(SystemExit) as exit_code:
        call_command("download", "--resume", str(job.pk), "--user", user.username)

    job.refresh_from_db()
    assert exit_code.value.code == 1  # the failed track is still failed: Retry's business
    assert (job.status, job.done, job.failed, job.cancelled) == (Job.Status.PARTIAL, 4, 1, 0)
