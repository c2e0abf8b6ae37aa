"""The progress stream over real HTTP, served by uvicorn as in production."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from django.urls import reverse

from downloads import services
from downloads.models import Job
from tests.factories import JobFactory, JobItemFactory
from tests.jobs.sse import events
from tests.support.servers import AsgiServer
from tests.support.signing_in import session_cookies

pytestmark = pytest.mark.integration


@contextmanager
def _stream(server: AsgiServer, job: Job, user: Any) -> Iterator[httpx.Response]:
    url = reverse("downloads:job_events", args=[job.pk])
    with (
        httpx.Client(base_url=server.url, cookies=session_cookies(user), timeout=10) as client,
        client.stream("GET", url) as response,
    ):
        yield response


def test_a_finished_job_sends_its_state_and_ends_the_stream(
    asgi_server: AsgiServer, user: Any
) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.COMPLETED, total=1, done=1)
    JobItemFactory.create(job=job, status="done")

    with _stream(asgi_server, job, user) as response:
        received = list(events(response))

    assert response.headers["content-type"] == "text/event-stream"
    assert [name for name, _ in received] == ["items", "job", "end"]
    assert received[-1][1]["percent"] == 100


def test_changes_stream_live_and_the_stream_ends_when_the_job_does(
    asgi_server: AsgiServer, user: Any
) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    JobItemFactory.create_batch(2, job=job, status="queued")
    received: list[tuple[str, Any]] = []
    first = threading.Event()

    def listen() -> None:
        with _stream(asgi_server, job, user) as response:
            for name, data in events(response):
                received.append((name, data))
                first.set()

    listener = threading.Thread(target=listen)
    listener.start()
    assert first.wait(10)
    services.job_cancel(job=job)
    started = time.monotonic()
    listener.join(10)

    assert not listener.is_alive()
    assert time.monotonic() - started < 2
    names = [name for name, _ in received]
    assert names[-1] == "end"
    assert received[-1][1]["status"] == "cancelled"
    cancelled = [i for name, data in received if name == "items" for i in data]
    assert {i["status"] for i in cancelled[-2:]} == {"cancelled"}


def test_another_persons_stream_is_not_found(asgi_server: AsgiServer, user: Any, other_user):
    job = JobFactory.create(owner=other_user)

    with _stream(asgi_server, job, user) as response:
        assert response.status_code == 404
