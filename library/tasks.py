"""Background tasks (Django's Tasks framework, run by `manage.py db_worker`); ids only."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.tasks import task


async def _refresh_in_own_loop(refresh_id: int) -> str:
    from library.services import library_refresh
    from library.spotify import close_http_client

    try:
        refresh = await library_refresh(refresh_id=refresh_id)
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
