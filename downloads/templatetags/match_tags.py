"""Text for humans on the match page: lengths and how far they are from Spotify's."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def clock(seconds: float | None) -> str:
    """A length as m:ss (h:mm:ss past an hour); an em dash when unknown."""
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def length_difference(seconds: float | None) -> str:
    """How far a length is from Spotify's: "+3 s", "-2 s" (with a minus sign), "same length"."""
    if seconds is None:
        return "length unknown"
    rounded = round(seconds)
    if rounded == 0:
        return "same length"
    return f"+{rounded} s" if rounded > 0 else f"\N{MINUS SIGN}{-rounded} s"
