"""Template helpers for download pages: short format names, and a failure's next step."""

from __future__ import annotations

from typing import Any

from django import template

from downloads.failures import Viewer, failure_viewer, item_failure_note
from downloads.failures import youtube_pause_step as pause_step
from downloads.format_labels import format_short as short_name
from downloads.models import JobItem
from downloads.selectors import TrackState

register = template.Library()


@register.filter
def format_short(audio_format: str) -> str:
    return short_name(audio_format)


@register.inclusion_tag("downloads/_failure_note.html", takes_context=True)
def failure_note(context: template.Context, item: JobItem) -> dict[str, Any]:
    """A failed or unmatched item's words and its next step, linked where it can be taken."""
    return _note(context, item.status, item.error_kind, item.error, item.pk)


@register.inclusion_tag("downloads/_failure_note.html", takes_context=True)
def track_failure_note(context: template.Context, state: TrackState) -> dict[str, Any]:
    """The same words and next step for a track's badge on a browse page (its latest item)."""
    return _note(context, state.state, state.kind, state.reason, state.item_id)


def _note(
    context: template.Context, status: str, kind: str, error: str, item_id: int | None
) -> dict[str, Any]:
    note = item_failure_note(
        status=status, kind=kind, error=error, item_id=item_id, viewer=_viewer(context)
    )
    # On the page the step leads to (the match page), it points at the choices instead.
    return {"note": note, "here": context["request"].path}


@register.inclusion_tag("downloads/_next_step.html", takes_context=True)
def youtube_pause_step(context: template.Context) -> dict[str, Any]:
    """The way out of a YouTube pause, when a person can take one (a cookies file)."""
    return {"step": pause_step(viewer=_viewer(context))}


def _viewer(context: template.Context) -> Viewer:
    """Read once per page, however many items failed."""
    cache = context.render_context
    if "failure_viewer" not in cache:
        user = context["request"].user
        cache["failure_viewer"] = failure_viewer(user_id=user.pk, is_admin=user.is_staff)
    viewer: Viewer = cache["failure_viewer"]
    return viewer
