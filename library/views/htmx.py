"""What the views know of htmx: its request details, and whether a request wants one part."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def partial(request: HtmxHttpRequest, target: str) -> bool:
    """True when htmx asks for the element `target` alone (not a history restore)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target
