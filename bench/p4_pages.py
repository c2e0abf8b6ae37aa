"""P4 pages: the Liked Songs page with 100 and with 10,000 liked songs.

Both users share one catalog (Hugo's, read by a library refresh); the small one likes 100 of
Hugo's songs. Each page is rendered by Django's test client in this process (the whole
middleware stack and template, no network): the median over N requests and the number of SQL
queries of one request. The page shows one page of rows either way, so the bound is the same
time and the same queries at both sizes (ratio 1.0).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from bench.environment import Environment
from bench.harness import log, median, ratio, rounded

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def small_copy(large: User, count: int) -> User:
    """Another person who likes the newest `count` of `large`'s liked songs."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from library.models import SavedTrack

    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=f"bench-liked-{count}")
        SavedTrack.objects.filter(user=user).delete()
        newest = SavedTrack.objects.filter(user=large).order_by("-added_at", "-pk")[:count]
        SavedTrack.objects.bulk_create(
            SavedTrack(user=user, track_id=s.track_id, added_at=s.added_at) for s in newest
        )
    return user


def page_client(user: User, url: str) -> Any:
    """A signed-in test client, warmed up (templates compiled, connection open)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    for _ in range(3):
        warm = client.get(url)
        if warm.status_code != 200:
            raise RuntimeError(f"{url} answered {warm.status_code}")
    return client


def queries_of(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Count now: the next request's request_started signal empties the connection's query log.
    return len(captured.captured_queries)


def measure(users: dict[str, User], url: str, requests: int) -> dict[str, dict[str, Any]]:
    """Median time of each user's page, the requests interleaved so that both sizes see the
    same machine (other load, caches, garbage collection) at the same moments."""
    from library.models import SavedTrack

    clients = {name: page_client(user, url) for name, user in users.items()}
    queries = {name: queries_of(client, url) for name, client in clients.items()}
    times: dict[str, list[float]] = {name: [] for name in users}
    sizes: dict[str, int] = {}
    for _ in range(requests):
        for name, client in clients.items():
            began = time.perf_counter()
            response = client.get(url)
            times[name].append(time.perf_counter() - began)
            sizes[name] = len(response.content)
    return {
        name: {
            "liked": SavedTrack.objects.filter(user=user).count(),
            "median_ms": rounded(median(times[name]) * 1000, 2),
            "min_ms": rounded(min(times[name]) * 1000, 2),
            "max_ms": rounded(max(times[name]) * 1000, 2),
            "queries": queries[name],
            "html_kb": rounded(sizes[name] / 1024, 1),
        }
        for name, user in users.items()
    }


def run(
    env: Environment, *, user_key: str = "hugo", small: int = 100, requests: int = 50
) -> dict[str, Any]:
    from django.conf import settings
    from django.urls import reverse

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    large_user = env.library(user_key)
    small_user = small_copy(large_user, small)
    url = reverse("library:liked")
    log(f"P4: {requests} requests of {url} per size")
    measured = measure({"small": small_user, "large": large_user}, url, requests)
    small_figures, large_figures = measured["small"], measured["large"]
    log(
        f"P4: {small_figures['median_ms']} ms at {small_figures['liked']}, "
        f"{large_figures['median_ms']} ms at {large_figures['liked']}"
    )
    return {
        "benchmark": "P4",
        "name": "Liked Songs page",
        "setup": {
            "url": url,
            "requests_per_size": requests,
            "client": "django.test.Client, requests interleaved",
        },
        "metric": "median server ms per page; ours = large library, baseline = small library",
        "ours": large_figures,
        "baseline": small_figures,
        "bound": {"time_ratio": 1.0, "queries": small_figures["queries"]},
        "ratio": {
            "time_large_over_small": ratio(large_figures["median_ms"], small_figures["median_ms"]),
            "queries_large_over_small": ratio(large_figures["queries"], small_figures["queries"]),
            "tracks_large_over_small": ratio(large_figures["liked"], small_figures["liked"]),
        },
        "counts": {
            "queries_small": small_figures["queries"],
            "queries_large": large_figures["queries"],
        },
    }
