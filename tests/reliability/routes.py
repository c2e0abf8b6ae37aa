"""Every URL of the app, found by walking Django's resolver, so new URLs are tested as soon as
they exist; and the real ids of the owner's objects to put into their path converters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from spotifydl.api.models import ApiToken
from tests.reliability.world import World


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # the pattern, for messages
    converters: tuple[str, ...]  # keyword arguments taken from the path

    def __str__(self) -> str:
        return f"{self.name} /{self.route}"

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            namespace = f"{ns}:{inner}" if ns and inner else inner or ns
            yield from _walk(pattern, prefix + str(pattern.pattern), namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{ns}:{pattern.name or ''}" if ns else pattern.name or ""
            converters = getattr(pattern.pattern, "converters", None)
            if converters is None:  # a regex pattern: its named groups
                converters = pattern.pattern.regex.groupindex
            yield Route(name, prefix + str(pattern.pattern), tuple(converters))


def app_routes() -> list[Route]:
    """Every route of ROOT_URLCONF, admin included (the matrix says why it skips some)."""
    return list(_walk(get_resolver(settings.ROOT_URLCONF)))


ADMIN = "admin only: tests/households/test_admin_only.py asks every one of them as both people"
OAUTH = "the OAuth entry point: see test_oauth.py here and tests/library/test_sign_in.py"
# Not part of the matrix, and why.
SKIPPED = {
    "admin": "Django's admin: staff only, with its own permission checks (Django's tests)",
    "healthz": "the liveness probe for Docker: public on purpose, answers no data",
    "library:login": OAUTH,
    "library:callback": OAUTH,
    "household:installation": ADMIN,
    "household:sign_in_policy": ADMIN,
    "household:invite": ADMIN,
    "household:uninvite": ADMIN,
    "household:role": ADMIN,
    "household:installation_notifications": ADMIN,
    "household:installation_notifications_test": ADMIN,
    "household:import": ADMIN,
    "api_pages:all_tokens": ADMIN,
    "api": "the JSON API: tests/api asks its endpoints with both people's tokens and sessions",
}
# Static files never reach the resolver: servestatic's middleware serves them (public assets).


def skip_reason(route: Route) -> str | None:
    return SKIPPED.get(route.name) or SKIPPED.get(route.namespace.split(":")[0])


# Answered the same for everyone signed in, by design (still never with the owner's data).
PUBLIC = {"home": "the sign-in page for visitors, the start page for people signed in"}
# Lists of the person's own things: asked of everyone, each sees only theirs (an admin sees
# everyone's active jobs on the queue: tests/jobs/test_queue.py).
OWN_LISTS = {
    "downloads:jobs": "the person's jobs",
    "downloads:queue": "the person's active jobs with speed, size and time left",
}
SHARED: dict[str, str] = {}
CATALOG = {
    # Looked up with the person's own Spotify account (never taken from someone else's library):
    # this world's other person has none, so they are asked to sign in again (502, no data).
    "library:album_download": "any album of Spotify's public catalog can be downloaded by link",
}

Kwargs = Callable[[World], dict[str, Any]]
_PLAYLIST: Kwargs = lambda w: {"spotify_id": w.playlist.spotify_id}  # noqa: E731
_ALBUM: Kwargs = lambda w: {"spotify_id": w.album.spotify_id}  # noqa: E731
_JOB: Kwargs = lambda w: {"pk": w.job.pk}  # noqa: E731
_FILE: Kwargs = lambda w: {"pk": w.files[0].pk}  # noqa: E731
_TRACK: Kwargs = lambda w: {"spotify_id": w.track.spotify_id}  # noqa: E731
_SUBSCRIPTION: Kwargs = lambda w: {"pk": w.subscription.pk}  # noqa: E731
# The owner's objects to fill each route's path converters with. A new URL with converters
# fails the matrix until it is added here.
OWNED: dict[str, Kwargs] = {
    "library:playlist": _PLAYLIST,
    "library:album": _ALBUM,
    "library:album_download": _ALBUM,
    "library:artist": lambda w: {"spotify_id": w.artist.spotify_id},
    "downloads:job": _JOB,
    "downloads:job_events": _JOB,
    "downloads:job_cancel": _JOB,
    "downloads:job_retry": _JOB,
    "downloads:job_resume": _JOB,
    "delivery:file": _FILE,
    "delivery:stream": _FILE,
    "delivery:lyrics": _FILE,
    "delivery:job_zip": lambda w: {"target": w.job.pk},
    "delivery:job_player": lambda w: {"target": w.job.pk},
    "delivery:playlist_zip": lambda w: {"target": w.playlist.spotify_id},
    "delivery:playlist_player": lambda w: {"target": w.playlist.spotify_id},
    "delivery:album_zip": lambda w: {"target": w.album.spotify_id},
    "delivery:album_player": lambda w: {"target": w.album.spotify_id},
    "matches:item": lambda w: {"pk": w.item.pk},
    "matches:track": _TRACK,
    "matches:pin": _TRACK,
    "matches:unpin": _TRACK,
    "sync:subscription": _SUBSCRIPTION,
    "sync:change": _SUBSCRIPTION,
    "sync:sync_now": _SUBSCRIPTION,
    "sync:unsubscribe": _SUBSCRIPTION,
    "sync:runs": _SUBSCRIPTION,
    "api_pages:revoke": lambda w: {"pk": ApiToken.objects.get(owner=w.owner).pk},
    # Admin URLs (skipped in the matrix): ids for the CSRF walk, which refuses before any view.
    "household:uninvite": lambda w: {"pk": 1},
    "household:role": lambda w: {"user_id": w.other.pk},
}
# Query strings that name the owner's things on URLs without converters.
QUERY: dict[str, Kwargs] = {
    "delivery:selection_zip": lambda w: {"track": [t.spotify_id for t in w.tracks]},
    "downloads:job_new": lambda w: {"kind": "playlist", "target": w.playlist.spotify_id},
}
# What each form posts when its owner uses it (everyone else posts the same, about the owner's
# things); the rest post nothing.
POSTED: dict[str, Kwargs] = {
    "library:album_download": lambda w: {
        "kind": "album",
        "target": w.album.spotify_id,
        "audio_format": "original",
    },
    "downloads:job_new": lambda w: {
        "kind": "playlist",
        "target": w.playlist.spotify_id,
        "audio_format": "original",
    },
    "household:preferences": lambda w: {"sync_schedule": "daily", "playlist_files": "on"},
    "delivery:selection_zip": lambda w: {"track": [t.spotify_id for t in w.tracks]},
    "matches:pin": lambda w: {
        "link": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "audio_format": "original",
    },
    "sync:subscribe": lambda w: {
        "what": f"playlist:{w.playlist.spotify_id}",
        "audio_format": "original",
        "schedule": "daily",
    },
    "sync:change": lambda w: {"audio_format": "mp3", "schedule": "daily"},
    "api_pages:tokens": lambda w: {"name": "a script"},
}


def url_for(route: Route, world: World) -> str:
    if not route.converters:
        return reverse(route.name)
    fill = OWNED.get(route.name)
    assert fill is not None, (
        f"New URL {route}: add the owner's object for its {route.converters} to OWNED in "
        "tests/reliability/routes.py (and a line to PUBLIC, SHARED or CATALOG if it is not "
        "private)."
    )
    return reverse(route.name, kwargs=fill(world))
