"""Reads for sync: a person's subscriptions and their runs, what to fetch, file references.

Every read that takes a user only sees that user's subscriptions; views turn a miss into a 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from downloads import uploads
from downloads.models import Job, JobItem, Subscription, SubscriptionTrack, SyncRun
from library.catalog.writer import chunks
from library.models import PlaylistEntry, SavedTrack, Track, UserPlaylist

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AnyUser

LIKED_TITLE = "Liked Songs"
ALBUMS_TITLE = "Saved albums"
RUNS_SHOWN = 30
# Downloads someone asked for by name: their files stay as long as the job exists. Playlist,
# Liked Songs and library jobs copy a collection; the collection itself is the reference.
PICKED_KINDS = (Job.Kind.TRACK, Job.Kind.ALBUM, Job.Kind.ARTIST, Job.Kind.SELECTION)


class SourceNotFound(LookupError):
    """The source is not (or no longer) in this person's library, or cannot be read."""


# --- subscriptions ------------------------------------------------------------------------------


def subscriptions_for(user: AnyUser) -> QuerySet[Subscription]:
    """The person's subscriptions by title, each with its latest run as `latest_runs` (0 or 1)."""
    latest = SyncRun.objects.select_related("job").order_by("-created_at", "-pk")[:1]
    return Subscription.objects.filter(owner_id=user.pk).prefetch_related(
        Prefetch("runs", queryset=latest, to_attr="latest_runs")
    )


def subscription_for(user: AnyUser, pk: int) -> Subscription:
    """One of the person's subscriptions; raises Subscription.DoesNotExist for anyone else's."""
    return Subscription.objects.get(pk=pk, owner_id=user.pk)


def subscription_runs(subscription: Subscription, *, limit: int = RUNS_SHOWN) -> list[SyncRun]:
    return list(subscription.runs.select_related("job").order_by("-created_at", "-pk")[:limit])


def subscription_for_source(user: AnyUser, source: str, target_id: str = "") -> Subscription | None:
    """The person's subscription to this source, if any (for a Subscribe button's state)."""
    return Subscription.objects.filter(
        owner_id=user.pk, source=source, target_id=_target(source, target_id)
    ).first()


def _target(source: str, target_id: str) -> str:
    return target_id if source == Subscription.Source.PLAYLIST else ""


# --- sources ------------------------------------------------------------------------------------


def source_options(user: AnyUser) -> list[tuple[str, str, str]]:
    """(source, target_id, title) of everything the person may subscribe to, in library order."""
    playlists = (
        UserPlaylist.objects.filter(user_id=user.pk, readable=True)
        .select_related("playlist")
        .order_by("position")
    )
    return [
        (Subscription.Source.LIKED, "", LIKED_TITLE),
        (Subscription.Source.ALBUMS, "", ALBUMS_TITLE),
        *(
            (Subscription.Source.PLAYLIST, m.playlist.spotify_id, m.playlist.name)
            for m in playlists
        ),
    ]


def source_title(user: AnyUser, source: str, target_id: str = "") -> str:
    """The source's display title; raises SourceNotFound when the person cannot sync it."""
    if source == Subscription.Source.LIKED:
        return LIKED_TITLE
    if source == Subscription.Source.ALBUMS:
        return ALBUMS_TITLE
    if source != Subscription.Source.PLAYLIST:
        raise SourceNotFound(f"Unknown kind of source: {source!r}.")
    membership = (
        UserPlaylist.objects.filter(user_id=user.pk, playlist__spotify_id=target_id)
        .select_related("playlist")
        .first()
    )
    if membership is None:
        raise SourceNotFound(
            "That playlist is not in your library (refresh your library if it is new)."
        )
    if not membership.readable:
        raise SourceNotFound(membership.unreadable_reason or "Spotify does not let us read it.")
    return membership.playlist.name


def subscription_track_ids(subscription: Subscription) -> set[int]:
    """The tracks the source held at the last sync."""
    return set(subscription.memberships.values_list("track_id", flat=True))


# --- what to download, what is still in use -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Wanted:
    """What a sync job should fetch, and what it leaves to others or to a pinned upload."""

    track_ids: list[int]
    in_flight: int = 0  # being fetched by the owner's other jobs right now
    no_match: int = 0  # found no upload last time and nobody has pinned one since


def tracks_to_download(subscription: Subscription, track_ids: Iterable[int]) -> Wanted:
    """The source's tracks (in order, once each) that a sync job should fetch.

    Not those stored on disk in the subscription's format, nor those the owner's jobs are
    fetching right now in it; nor those that found no match last time unless someone pinned an
    upload since (searching again every hour would find the same nothing).
    """
    wanted = list(dict.fromkeys(track_ids))
    fmt = subscription.audio_format
    stored: set[int] = set()
    in_flight: set[int] = set()
    no_match: set[int] = set()
    for chunk in chunks(wanted):
        stored |= set(
            uploads.stored_files_for(
                owner_id=subscription.owner_id, track_ids=chunk, audio_format=fmt
            )
        )
        items = JobItem.objects.filter(
            track_id__in=chunk, job__owner_id=subscription.owner_id, job__audio_format=fmt
        ).order_by("pk")
        latest = dict(items.values_list("track_id", "status"))
        pinned = set(uploads.pins_for(owner_id=subscription.owner_id, track_ids=chunk))
        in_flight |= {t for t, status in latest.items() if status in JobItem.UNFINISHED}
        no_match |= {
            t for t, status in latest.items() if status == JobItem.Status.NO_MATCH
        } - pinned
    in_flight -= stored
    no_match -= stored | in_flight
    return Wanted(
        track_ids=[t for t in wanted if t not in stored | in_flight | no_match],
        in_flight=len(in_flight),
        no_match=len(no_match),
    )


def tracks_still_used(track_ids: Sequence[int], *, besides: Subscription) -> set[int]:
    """Those of `track_ids` that anything of anyone still references, `besides` apart.

    A reference is: an entry of a playlist in someone's library, someone's like, an album
    someone saved, another subscription's last sync, a download someone picked by name (a
    track, an album, an artist, a selection), or any job still waiting or running.
    """
    used: set[int] = set()
    for chunk in chunks(list(track_ids)):
        queries = [
            PlaylistEntry.objects.filter(
                track_id__in=chunk, playlist__memberships__isnull=False
            ).values_list("track_id", flat=True),
            SavedTrack.objects.filter(track_id__in=chunk).values_list("track_id", flat=True),
            Track.objects.filter(pk__in=chunk, album__saves__isnull=False).values_list(
                "pk", flat=True
            ),
            SubscriptionTrack.objects.filter(track_id__in=chunk)
            .exclude(subscription_id=besides.pk)
            .values_list("track_id", flat=True),
            JobItem.objects.filter(track_id__in=chunk)
            .filter(
                Q(job__status__in=Job.ACTIVE)
                | Q(job__kind__in=PICKED_KINDS, job__sync_runs__isnull=True)
            )
            .values_list("track_id", flat=True),
        ]
        for query in queries:
            used.update(query.distinct())
    return used
