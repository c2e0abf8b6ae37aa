from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from downloads.selectors import JobFilter, jobs_for

logger = logging.getLogger(__name__)

HOME_JOBS = 5  # active downloads listed on the home page


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    jobs = (
        list(jobs_for(user=user, which=JobFilter.ACTIVE)[:HOME_JOBS])
        if isinstance(user, User)
        else []
    )
    return render(request, "spotifydl/home.html", {"active_jobs": jobs})


def _database_round_trip() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@never_cache
@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for Docker and load balancers: the app answers and its database does too."""
    try:
        await sync_to_async(_database_round_trip)()
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
