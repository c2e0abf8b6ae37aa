"""Background tasks (Django's Tasks framework, run by `manage.py db_worker`); ids only.

The one module that knows the refresh task: starting a refresh in the background and scheduling
a paused one's resumption both live here, so the refresh service never imports its own task.
"""

from __future__ import annotations

from datetime import datetime

from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.db import transaction
from django.tasks import task

from library.models import LibraryRefresh, SpotifyAccount
from library.refresh.service import library_refresh, library_refresh_create
from library.spotify import SpotifyReauthRequired, close_http_client


def library_refresh_enqueue(*, user: User) -> LibraryRefresh:
    """Start reading the user's library in the background, unless a refresh is already on."""
    account = SpotifyAccount.objects.filter(user=user).first()
    if account is None or account.needs_reauth:
        raise SpotifyReauthRequired(account.reauth_reason if account else "")
    with transaction.atomic():
        refresh, created = library_refresh_create(user=user)
        if created:
            # Same transaction: the task row and the refresh row exist together or not at all.
            library_refresh_task.enqueue(refresh_id=refresh.pk)
    return refresh


def library_refresh_resume(refresh: LibraryRefresh, at: datetime) -> None:
    """Run the paused refresh again at `at` (call inside the transaction saving the pause)."""
    library_refresh_task.using(run_after=at).enqueue(refresh_id=refresh.pk)


async def _refresh_in_own_loop(refresh_id: int) -> str:
    try:
        refresh = await library_refresh(refresh_id=refresh_id, resume=library_refresh_resume)
    finally:
        # This event loop ends with the task: its HTTP connections must not outlive it.
        await close_http_client()
    return str(refresh.status)


# Someone is waiting to see their library: run ahead of queued download work.
@task(priority=50)
def library_refresh_task(refresh_id: int) -> str:
    """Read one user's library; the LibraryRefresh row holds status and progress."""
    # async_to_sync runs the coroutine in a loop of its own, and sync_to_async calls inside it
    # come back to this thread, so the ORM keeps using the worker's own connection.
    return async_to_sync(_refresh_in_own_loop)(refresh_id)
