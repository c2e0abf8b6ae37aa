from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from downloads.selectors import JobFilter, jobs_for
from library.sign_in_address import sign_in_host_redirect
from spotifydl.selectors import worker_health

logger = logging.getLogger(__name__)

HOME_JOBS = 5  # active downloads listed on the home page


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    elsewhere = None if user.is_authenticated else sign_in_host_redirect(request)
    if elsewhere is not None:
        return elsewhere
    jobs = (
        list(jobs_for(user=user, which=JobFilter.ACTIVE)[:HOME_JOBS])
        if isinstance(user, User)
        else []
    )
    return render(request, "spotifydl/home.html", {"active_jobs": jobs})


def _health_read() -> list[dict[str, object]]:
    """A database round trip, then the workers' heartbeats."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return [
        {
            "name": worker.name,
            "state": "up" if worker.up else "down",
            "last_beat": worker.last_beat.isoformat(),
            "seconds_since_beat": worker.seconds_since_beat,
        }
        for worker in worker_health(now=timezone.now())
    ]


@never_cache
@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for Docker and load balancers, and each worker's last heartbeat.

    503 only when the web side cannot serve (its database is unreachable): that is what a
    container healthcheck should restart for. A worker that is down makes the status "degraded"
    with a 200, since the supervisor is already bringing it back and pages still work.
    """
    try:
        workers = await sync_to_async(_health_read)()
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    degraded = any(worker["state"] == "down" for worker in workers)
    return JsonResponse(
        {"status": "degraded" if degraded else "ok", "database": "ok", "workers": workers}
    )
