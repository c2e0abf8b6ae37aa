"""Every URL of the app, for {anonymous, owner, another person} and {GET, POST with a valid CSRF
token}: visitors are sent to sign in, other people get a 404 and never the owner's data, the
owner gets their page. And no POST anywhere is accepted without a CSRF token."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from tests.reliability.helpers import recorded_connections
from tests.reliability.routes import (
    CATALOG,
    OWN_LISTS,
    OWNED,
    POSTED,
    PUBLIC,
    QUERY,
    SHARED,
    Route,
    app_routes,
    skip_reason,
    url_for,
)
from tests.reliability.world import MARK, World, build_world, owner_state
from tests.support.responses import body

pytestmark = pytest.mark.django_db

ROUTES = app_routes()
MATRIX = [route for route in ROUTES if skip_reason(route) is None]
SIGN_IN_PATHS = {"/", "/login/"}
OWNER_OK = {200, 302, 307, 405}
OTHER_OK = {200, 302, 307, 400, 404, 405}  # on URLs that name none of the owner's objects


@dataclass
class Answer:
    status: int
    location: str
    content_type: str
    body: bytes

    def __str__(self) -> str:
        return f"{self.status} {self.location or self.content_type}"


@cache
def _client() -> Client:
    # One client (one middleware chain) for every request: building servestatic's file index
    # for each new Client would cost a tenth of a second per request.
    return Client(enforce_csrf_checks=True)


def browser(user: Any) -> Client:
    """A fresh browser: no cookies but a session for `user` when given."""
    client = _client()
    client.cookies = SimpleCookie()
    if user is not None:
        client.force_login(user)
    return client


def ask(user: Any, method: str, url: str, data: dict[str, Any], *, token: bool = True) -> Answer:
    """One request from a fresh browser: signed in as `user` (or not), with a valid CSRF token."""
    client = browser(user)
    headers = {}
    if token:
        secret = get_random_string(32)
        client.cookies["csrftoken"] = secret
        headers["X-CSRFToken"] = secret
    if method == "GET":
        response = client.get(url, data, headers=headers)
    else:
        response = client.post(url, data, headers=headers)
    content_type = response.get("Content-Type", "")
    # The progress stream runs until the job ends and closes DB connections: not read here.
    content = b"" if content_type.startswith("text/event-stream") else body(response)
    return Answer(response.status_code, response.get("Location", ""), content_type, content)


def _leaks(answer: Answer) -> bool:
    return MARK.encode() in answer.body or MARK in answer.location


def _sent_to_sign_in(answer: Answer) -> bool:
    return answer.status == 302 and urlsplit(answer.location).path in SIGN_IN_PATHS


@pytest.mark.parametrize("route", MATRIX, ids=str)
def test_every_url_serves_its_owner_and_nobody_else(route: Route) -> None:
    world = build_world()
    url = url_for(route, world)
    query = QUERY[route.name](world) if route.name in QUERY else {}
    posted = POSTED[route.name](world) if route.name in POSTED else {}
    owned = route.name in OWNED and route.name not in CATALOG
    problems: list[str] = []
    with recorded_connections() as connections:
        for method, data in (("GET", query), ("POST", posted)):
            before = owner_state(world)
            anonymous = ask(None, method, url, data)
            other = ask(world.other, method, url, data)
            changed = owner_state(world) != before
            owner = ask(world.owner, method, url, data)
            problems += _judge(route, method, anonymous, other, owner, owned=owned)
            if changed:
                problems.append(f"{method}: a visitor or another person changed the owner's data")
    assert connections.connected == [], "a page reached out to the network"
    assert not problems, f"{route}:\n  " + "\n  ".join(problems)


def _judge(
    route: Route, method: str, anonymous: Answer, other: Answer, owner: Answer, *, owned: bool
) -> list[str]:
    problems = []
    if route.name in PUBLIC:
        if anonymous.status not in (200, 405):
            problems.append(f"{method} anonymous: {anonymous}, expected the public page")
    elif not (_sent_to_sign_in(anonymous) or anonymous.status == 405):
        problems.append(f"{method} anonymous: {anonymous}, expected a redirect to sign in or 405")
    if owned:
        refused = other.status == 404 or (other.status == 405 and owner.status == 405)
        if not refused:
            problems.append(f"{method} another person: {other}, expected 404")
    elif other.status not in OTHER_OK and not (route.name in CATALOG and other.status == 502):
        problems.append(f"{method} another person: {other}")
    for who, answer in (("anonymous", anonymous), ("another person", other)):
        if _leaks(answer):
            problems.append(f"{method} {who} got the owner's data: {answer}")
    if owner.status not in OWNER_OK:
        problems.append(f"{method} owner: {owner}")
    # A whole page about the owner's object names it (htmx fragments may not): the ids are right.
    whole_page = owner.status == 200 and b"<html" in owner.body[:500].lower()
    if owned and whole_page and MARK.encode() not in owner.body:
        problems.append(f"{method} owner: the page does not show the owner's object (wrong ids?)")
    return problems


def test_the_matrix_covers_every_url_and_says_why_it_skips_some() -> None:
    names = {route.name for route in ROUTES}
    assert all(route.name for route in MATRIX), "an unnamed URL cannot be reversed nor listed"
    assert len(MATRIX) >= 40
    for table in (OWNED, QUERY, POSTED, PUBLIC, SHARED, CATALOG, OWN_LISTS):
        assert set(table) <= names, f"stale entries: {set(table) - names}"
    skipped = Counter(skip_reason(route) for route in ROUTES if skip_reason(route))
    print(f"\n{len(MATRIX)} URLs in the matrix; skipped:")
    for reason, count in sorted(skipped.items(), key=lambda item: str(item[0])):
        print(f"  {count} URL(s): {reason}")


# The JSON API answers a visitor 401 (no token), and checks CSRF on session writes itself:
# tests/api/ covers both.
CSRF_ROUTES = [route for route in ROUTES if route.namespace != "admin" and route.name != "api"]
NO_TOKEN = ["no cookie and no token", "a cookie but no token", "a wrong token", "only a token"]


@pytest.mark.parametrize("route", CSRF_ROUTES, ids=str)
def test_no_post_is_accepted_without_a_csrf_token(route: Route) -> None:
    world: World = build_world()
    url = url_for(route, world)
    data = POSTED[route.name](world) if route.name in POSTED else {}
    before = owner_state(world)
    for user in (None, world.owner):
        for how in NO_TOKEN:
            client = browser(user)
            headers = {}
            if how != "no cookie and no token" and how != "only a token":
                client.cookies["csrftoken"] = get_random_string(32)
            if how in ("a wrong token", "only a token"):
                headers["X-CSRFToken"] = get_random_string(32)
            response = client.post(url, data, headers=headers)
            who = "the owner" if user else "a visitor"
            assert response.status_code == 403, f"{route}: POST by {who} with {how}"
    assert owner_state(world) == before
