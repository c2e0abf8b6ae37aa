"""Template helpers for library pages, and the signed-in panel on the home page."""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.contrib.auth.models import User
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import SafeString

from library import selectors
from library.models import Album, Track
from spotifydl.row_addresses import row_address

register = template.Library()


@register.inclusion_tag("library/_home.html", takes_context=True)
def library_home(context: template.Context) -> dict[str, Any]:
    """What a signed-in person sees first: their library at a glance and its refresh state."""
    request = context["request"]
    user = request.user
    if not isinstance(user, User):
        return {"user": user, "request": request}
    return {
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "account": selectors.account_for(user=user),
        "refresh": selectors.latest_refresh(user=user),
        "summary": selectors.library_summary(user=user),
        # Downloads' own reads: the home view puts them in the page's context.
        "jobs": context.get("active_jobs", []),
    }


@register.filter
def duration(milliseconds: int | None) -> str:
    """3:07, or 1:02:03 for very long tracks."""
    seconds = round((milliseconds or 0) / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@register.filter
def plain_text(value: str | None) -> str:
    """Spotify's playlist descriptions arrive HTML-escaped, links included: show plain words."""
    return html.unescape(strip_tags(value or ""))


@register.filter
def artist_names(track: Track) -> str:
    return ", ".join(track.artist_names())


@register.filter
def artist_links(track: Track) -> SafeString:
    """The track's artists, each linked to its page: drawn here rather than by a loop in the
    row's template (about 2 of a 100-row track table's 17 ms of CPU, bench P6), the address
    without a reverse() each (spotifydl/row_addresses.py)."""
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (row_address("library:artist", link.artist.spotify_id), link.artist.name or UNKNOWN)
            for link in getattr(track, "artist_links", ())
        ),
    )


UNKNOWN = "Unknown artist"


@register.filter
def album_artist_names(album: Album) -> str:
    return ", ".join(album.artist_names())


@register.filter
def subtract(value: int | None, other: int | None) -> int:
    return (value or 0) - (other or 0)
