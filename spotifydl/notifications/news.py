"""What each kind of news says, from plain values (callers on either side of the app use it)."""

from __future__ import annotations

from datetime import datetime

from spotifydl.notifications.models import Kind
from spotifydl.notifications.services import notify

MAX_LISTED = 20


def news_job_finished(
    *,
    owner_id: int,
    title: str,
    counts: dict[str, int],
    failures: list[tuple[str, str]],
) -> None:
    """Counts always; with failures, which tracks and why (the first twenty)."""
    line = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items() if count)
    if not failures:
        notify(
            kind=Kind.JOB_FINISHED,
            owner_id=owner_id,
            title=f"Downloaded: {title}",
            body=line or "Nothing to download.",
        )
        return
    listed = [f"- {name}: {why}" for name, why in failures[:MAX_LISTED]]
    if len(failures) > MAX_LISTED:
        listed.append(f"… and {len(failures) - MAX_LISTED} more (see the job page).")
    notify(
        kind=Kind.JOB_FAILURES,
        owner_id=owner_id,
        title=f"Finished with failures: {title}",
        body="\n".join([line, *listed]),
    )


def news_sync_changed(*, owner_id: int, name: str, summary: str) -> None:
    notify(kind=Kind.SYNC_CHANGED, owner_id=owner_id, title=f"Synced: {name}", body=summary)


def news_paused(*, owner_id: int | None, service: str, until: datetime, reason: str) -> None:
    """YouTube's or Spotify's limits paused work; it resumes by itself at `until`."""
    when = f"{until:%Y-%m-%d %H:%M} UTC"
    notify(
        kind=Kind.PAUSED,
        owner_id=owner_id,
        title=f"{service} paused downloads until {when}",
        body=f"{reason}\nNothing to do: the work resumes by itself at {when}."
        + (
            " A cookies file of a YouTube account (settings page) allows more."
            if service == "YouTube"
            else ""
        ),
    )


def news_sign_in_expired(*, owner_id: int, reason: str) -> None:
    notify(
        kind=Kind.SIGN_IN_EXPIRED,
        owner_id=owner_id,
        title="Your Spotify sign-in expired",
        body=f"{reason}\nSign in again on spotifydl: syncs and downloads wait until you do.",
    )
