"""20% of the answers of Spotify, of YouTube Music's search and of YouTube's media fail (5xx or
a reset connection) while a person's library is read, a playlist subscription syncs and its
download runs in a real worker: every retry layer together (Spotify's client, the per-item
budget, the end-of-job round) brings every track home without anyone pressing Retry. The
figures reached are printed."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from downloads.models import AudioFormat, Job, JobItem, Subscription, SyncRun
from downloads.sync import services as sync_services
from library.models import LibraryRefresh, PlaylistEntry
from sandbox import Sandbox
from sandbox.faults import SpotifyKnobs
from sandbox.youtube_faults import MediaKnobs
from tests.reliability.helpers import Processes, app_env, assert_every_track_done, uploaded_tracks
from tests.reliability.invariants import describe
from tests.support.signing_in import RunRefresh, SignIn
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.django_db(transaction=True),
]

TRACKS = 40
FAULT_RATE = 0.20
RESETS = 0.10  # half the faults drop the connection; the rest answer 5xx


def _storm(knobs: SpotifyKnobs | MediaKnobs) -> None:
    """FAULT_RATE of all answers fail: a reset is rolled first, then a 5xx for the rest."""
    knobs.reset_rate = RESETS
    knobs.error_rate = (FAULT_RATE - RESETS) / (1 - RESETS)


def _finished(subscription: Subscription) -> Job | None:
    """The sync's download job once it finished (None before)."""
    run = SyncRun.objects.filter(subscription=subscription).select_related("job").first()
    if run is None or run.status not in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
        return None
    assert run.status == SyncRun.Status.SUCCEEDED, run.summary
    assert run.job is not None, run.summary
    return run.job if run.job.status in Job.FINISHED else None


def test_a_sync_and_its_download_under_20_percent_faults_everywhere_end_with_nothing_failed(
    spotify: Sandbox,
    media_sandbox: Sandbox,
    sign_in: SignIn,
    run_refresh: RunRefresh,
    processes: Processes,
) -> None:
    ben = sign_in("ben")
    playlist = next(p for p in spotify.user_library("ben")["playlists"] if p["readable"])
    spotify.playlist_remove(playlist["id"], playlist["track_ids"])
    tracks = [t.id for t in uploaded_tracks(spotify, TRACKS)]
    spotify.playlist_add(playlist["id"], tracks)
    spotify.reset_counters()
    for knobs in (spotify.knobs, spotify.media_knobs):
        _storm(knobs)

    refresh = run_refresh(ben)  # the library read: every playlist, liked songs, albums...
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED, refresh.error
    subscription, _ = sync_services.subscription_create(
        owner=ben,
        source=Subscription.Source.PLAYLIST,
        target_id=playlist["id"],
        audio_format=AudioFormat.ORIGINAL,
        schedule=Subscription.Schedule.MANUAL,
    )  # queues its first sync, which queues the download
    processes.worker(**app_env(spotify))  # the sync reads Spotify
    wait_until(lambda: _finished(subscription), timeout=600, step=0.2, what="the synced job")
    job = _finished(subscription)
    assert job is not None
    faults = spotify.faults_injected()
    for knobs in (spotify.knobs, spotify.media_knobs):
        knobs.reset_rate = knobs.error_rate = 0.0

    retries = job.items.aggregate(used=Sum("transient_retries"))["used"] or 0
    most = max(job.items.values_list("transient_retries", flat=True))
    spotify_asked = sum(n for k, n in spotify.requests.items() if " /v1/" in k)
    print(
        f"\n{FAULT_RATE:.0%} faults on Spotify, search and media: {describe(job)}; faults met: "
        f"{faults}; Spotify requests: {spotify_asked}, YouTube requests: "
        f"{spotify.youtube_request_counts()}; item retries used: {retries} (at most {most} on "
        f"one track); end-of-job round ran: {job.final_round_done}; "
        f"attempts: {job.items.aggregate(n=Sum('attempts'))['n']}"
    )
    server_errors = {"500", "502", "503"}
    for met in faults.values():  # both kinds of fault reached both services
        assert "reset" in met and server_errors & set(met), faults
    stored = PlaylistEntry.objects.filter(playlist__spotify_id=playlist["id"]).order_by("position")
    assert [e.track.spotify_id for e in stored] == tracks
    assert_every_track_done(job, TRACKS)
    assert job.status == Job.Status.COMPLETED
    assert not job.items.exclude(status=JobItem.Status.DONE).exists()
