"""The life of a library refresh: created waiting, claimed by a worker, run, and its result saved.

Starting one in the background and resuming a paused one are library.tasks' (the one module that
knows the task); a run is handed the resumption to schedule when Spotify's quota pauses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from library.models import LibraryRefresh, SpotifyAccount
from library.oauth import AccountTokens
from library.refresh.reader import LibraryReader
from library.spotify import (
    AsyncSpotify,
    SpotifyError,
    SpotifyQuotaExceeded,
    SpotifyReauthRequired,
)
from spotifydl.notifications.news import news_paused

logger = logging.getLogger(__name__)

UNEXPECTED_ERROR = (
    "Something unexpected went wrong while reading your library; it has been logged. "
    "Please try again."
)

# Schedules the run of a paused refresh at the given time; called inside the transaction that
# saves the pause, so the pause and its resumption exist together or not at all.
type Resume = Callable[[LibraryRefresh, datetime], None]


def library_refresh_create(*, user: User) -> tuple[LibraryRefresh, bool]:
    """The user's waiting, running or paused refresh, or a new waiting one (True: new)."""
    with transaction.atomic():
        active = (
            LibraryRefresh.objects.select_for_update()
            .filter(user=user, status__in=LibraryRefresh.ACTIVE)
            .first()
        )
        if active is not None and not active.is_stale():
            return active, False
        if active is not None:
            # Its worker died mid-run; a new run must be able to start.
            active.finish(status=LibraryRefresh.Status.FAILED, error="The refresh was interrupted.")
            active.save()
        try:
            with transaction.atomic():
                return LibraryRefresh.objects.create(user=user), True
        except IntegrityError:
            # Another request created one between our look and our insert.
            return LibraryRefresh.objects.get(user=user, status__in=LibraryRefresh.ACTIVE), False


async def library_refresh(*, refresh_id: int, resume: Resume) -> LibraryRefresh:
    """Read everything in the user's library into the catalog, recording progress and cost.

    Playlists whose snapshot_id is unchanged cost no item requests; followed playlists that
    Spotify will not share are marked unreadable with the reason. A quota pause ends the run
    as `paused` and has `resume` schedule its resumption; nothing ever sleeps for hours.
    """
    refresh = await sync_to_async(_refresh_claim)(refresh_id=refresh_id)
    if refresh is None:
        return await LibraryRefresh.objects.aget(pk=refresh_id)
    account = await SpotifyAccount.objects.filter(user_id=refresh.user_id).afirst()
    if account is None:
        refresh.finish(status=LibraryRefresh.Status.FAILED, error=SpotifyReauthRequired().message)
        await sync_to_async(_refresh_save_result)(refresh=refresh, resume=resume)
        return refresh
    spotify = AsyncSpotify(tokens=AccountTokens(account.pk), account_key=account.account_key)
    reader = LibraryReader(refresh=refresh, account=account, spotify=spotify)
    try:
        await reader.run()
    except SpotifyQuotaExceeded as exc:
        refresh.finish(
            status=LibraryRefresh.Status.PAUSED, error=exc.message, resumes_at=exc.retry_at
        )
    except SpotifyError as exc:
        refresh.finish(status=LibraryRefresh.Status.FAILED, error=exc.message)
    except Exception:
        logger.exception("Library refresh %s failed", refresh_id)
        refresh.finish(status=LibraryRefresh.Status.FAILED, error=UNEXPECTED_ERROR)
    else:
        refresh.finish(status=LibraryRefresh.Status.SUCCEEDED)
    refresh.counts = reader.counts()
    refresh.requests_made = spotify.requests_made
    refresh.steps_done, refresh.steps_total = reader.steps_done, reader.steps_total
    await sync_to_async(_refresh_save_result)(refresh=refresh, resume=resume)
    logger.info(
        "Library refresh %s: %s, %d requests, %s",
        refresh.pk,
        refresh.status,
        refresh.requests_made,
        refresh.duration,
    )
    return refresh


def _refresh_claim(*, refresh_id: int) -> LibraryRefresh | None:
    """Move a waiting or paused refresh to running; None when another worker has it."""
    with transaction.atomic():
        refresh = (
            LibraryRefresh.objects.select_for_update()
            .filter(
                pk=refresh_id,
                status__in=[LibraryRefresh.Status.QUEUED, LibraryRefresh.Status.PAUSED],
            )
            .first()
        )
        if refresh is None:
            return None
        refresh.start()
        refresh.save()
        return refresh


def _refresh_save_result(*, refresh: LibraryRefresh, resume: Resume) -> None:
    with transaction.atomic():
        refresh.save()
        if refresh.resumes_at is not None:
            # Come back when Spotify says the quota is available again.
            resume(refresh, refresh.resumes_at)
            news_paused(
                owner_id=refresh.user_id,
                service="Spotify",
                until=refresh.resumes_at,
                reason=refresh.error,
            )
