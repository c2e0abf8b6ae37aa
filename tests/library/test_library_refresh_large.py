from __future__ import annotations

import pytest

from library.models import LibraryRefresh, PlaylistEntry, SavedTrack
from sandbox import Sandbox
from tests.library.expectations import ITEMS, api_requests, minimum_requests
from tests.support.signing_in import RunRefresh, sign_in_on

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db]


def test_a_10000_song_library_is_read_completely_with_the_fewest_requests_and_reread_for_free(
    bench_sandbox: Sandbox, run_refresh: RunRefresh
) -> None:
    hugo = sign_in_on(bench_sandbox, "hugo")
    expected = bench_sandbox.user_library("hugo")
    bench_sandbox.reset_counters()

    first = run_refresh(hugo)

    assert first.status == LibraryRefresh.Status.SUCCEEDED, first.error
    assert len(expected["liked"]) == 10_000
    saved = SavedTrack.objects.filter(user=hugo).order_by("-added_at")
    assert list(saved.values_list("track__spotify_id", flat=True)) == expected["liked"]
    readable = [p for p in expected["playlists"] if p["readable"]]
    stored = PlaylistEntry.objects.filter(playlist__memberships__user=hugo).count()
    assert stored == sum(len(p["track_ids"]) for p in readable)
    assert api_requests(bench_sandbox) == minimum_requests(bench_sandbox, "hugo")

    bench_sandbox.reset_counters()
    second = run_refresh(hugo)

    assert second.status == LibraryRefresh.Status.SUCCEEDED
    assert api_requests(bench_sandbox)[ITEMS] == 0
