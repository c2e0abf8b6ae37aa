"""Every URL pattern, found by walking the resolver, fed hostile values in its path converters,
its query string and its form fields (huge and negative numbers, unicode, NUL, path traversal,
malformed dates, very long strings, another person's ids), by GET and POST, signed in. The app
may refuse in any way it likes (a 502 or 503 it chose included), but never with an unhandled
exception: every exception `django.request` logs and every 500 is a failure, listed together at
the end.

test_fuzz_links.py and test_fuzz_paths.py fuzz what enters through the forms' meaning (links,
names, templates); this file fuzzes the shape of every request."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from django.http import StreamingHttpResponse
from django.test import Client

from tests.reliability.routes import POSTED, Route, app_routes
from tests.reliability.world import World, build_world

# transaction=True: the progress stream closes its connection between reads, as it should.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("spotifydl", "library", "downloads")
HUGE = "9" * 30
HOSTILE = [
    "-1", "0", HUGE, f"-{HUGE}", "2147483648", "1e309", "NaN", "-inf", "0x10", "1.5",
    "../../../etc/passwd", "..", "..%2f..%2fsecret", "C:\\Windows\\win.ini", "\x00", "a\x00b",
    "\u00e9t\u00e9", "\U0001d11e\U0001f3b5", "\u202egnp.exe", "' OR 1=1 --", "<script>x</script>",
    "x" * 5000, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+00:00", "2026-02-30T25:61:00+99:00",
    "yesterday", "", " ", "[]", "{\"a\": 1}", "%", "null", "true", "\r\nSet-Cookie: x=1",
]  # fmt: skip
# Path converters take what their pattern matches; anything else is a 404 from the resolver.
INT_VALUES = ["0", "1", HUGE, "2147483648", "9223372036854775808"]
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
SKIPPED = ("admin",)
MAX_CHUNKS = 200  # Django's own admin, staff only


def _parameter_names() -> list[str]:
    """Every name a view reads from GET or POST, found in the product's source, and the names
    the forms post: new parameters are fuzzed as soon as they exist."""
    found: set[str] = {
        key for fill in POSTED.values() for key in fill.__code__.co_consts if isinstance(key, str)
    }
    pattern = re.compile(r"(?:GET|POST)\.(?:get|getlist)\(\s*\"([^\"]+)\"")
    fields = re.compile(r"^\s+(\w+) = forms\.\w+Field", re.MULTILINE)
    for package in PRODUCT:
        for source in (ROOT / package).rglob("*.py"):
            text = source.read_text()
            found.update(pattern.findall(text))
            found.update(fields.findall(text))
    return sorted(name for name in found if name.isidentifier())


def _fill(route: Route, value: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match["kind"] == "int" and not value.isdigit():
            return "1"
        return quote(value, safe="")

    return "/" + CONVERTER.sub(one, route.route)


def _owner_ids(world: World, route: Route) -> str:
    """The route with the owner's real objects in its converters (asked for by someone else)."""
    ids = {"pk": str(world.job.pk), "spotify_id": world.playlist.spotify_id}
    ids["target"] = str(world.job.pk)
    return "/" + CONVERTER.sub(lambda m: quote(ids.get(m["name"], "1"), safe=""), route.route)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # A 502 or 503 the app chose to answer is logged too; an exception, or a 500, was not
        # chosen.
        if record.exc_info or getattr(record, "status_code", 500) == 500:
            self.records.append(record)


@contextmanager
def _request_errors() -> Iterator[_Errors]:
    handler = _Errors()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _send(client: Client, method: str, url: str, params: dict[str, Any]) -> int:
    response = client.get(url, params) if method == "GET" else client.post(url, params)
    if isinstance(response, StreamingHttpResponse):
        if response.is_async:  # the progress stream: read as an ASGI server would
            async_to_sync(_drain)(response)
        else:
            for n, _ in enumerate(response.streaming_content):  # errors in a stream count too
                if n > MAX_CHUNKS:
                    break
    return int(response.status_code)


async def _drain(response: StreamingHttpResponse) -> None:
    n = 0
    async for _ in response.streaming_content:  # type: ignore[union-attr]
        n += 1
        if n > MAX_CHUNKS:
            break


def _routes() -> list[Route]:
    return [r for r in app_routes() if r.namespace.split(":")[0] not in SKIPPED]


def test_every_url_survives_hostile_parameters_without_an_unhandled_exception(
    settings: Any, tmp_path: Path
) -> None:
    settings.MUSIC_ROOT = tmp_path / "music"
    world = build_world()
    owner, other = Client(raise_request_exception=False), Client(raise_request_exception=False)
    owner.force_login(world.owner)
    other.force_login(world.other)
    names = _parameter_names()
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    with _request_errors() as errors:
        for route in _routes():
            owner.force_login(world.owner)  # a POST to sign out signs the owner out
            other.force_login(world.other)
            for method in ("GET", "POST"):
                values = INT_VALUES + HOSTILE if route.converters else HOSTILE
                for value in values:
                    url = _fill(route, value)
                    params = dict.fromkeys(names, value)
                    before = len(errors.records)
                    status = _send(owner, method, url, params)
                    statuses[status] += 1
                    if status == 500 or len(errors.records) > before:
                        failures.append(f"{method} {url[:120]} {value[:40]!r}: {status}")
                status = _send(other, method, _owner_ids(world, route), {"since": HOSTILE[22]})
                statuses[status] += 1
                if status == 500:
                    failures.append(f"{method} {route} as another person: {status}")
    logged = sorted({_described(record) for record in errors.records})
    print(f"\n{sum(statuses.values())} requests over {len(_routes())} routes: {dict(statuses)}")
    assert failures == [] and logged == [], "\n".join(failures[:40] + logged[:40])


def _described(record: logging.LogRecord) -> str:
    kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
    return f"{record.getMessage()[:160]} ({kind})"
