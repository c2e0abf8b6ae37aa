"""Read Server-Sent Events from a real HTTP response, and sign a test user in over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from django.conf import settings
from django.test import Client


def session_cookies(user: Any) -> dict[str, str]:
    """Cookies of a fresh session for `user`, stored in the database every process shares."""
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def events(response: httpx.Response) -> Iterator[tuple[str, Any]]:
    """(event name, parsed data) for each event; comments and `retry:` lines are skipped."""
    name, data = "message", []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []
