"""One way to show a moment on every page: `{{ value|when }}`.

Recent moments read relative ("just now", "5 minutes ago", "in 2 hours"), older or further ones
absolute ("5 Dec 2026, 23:23"); the exact time is always in the <time> element's title and
datetime, in the installation's time zone.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from spotifydl.moments import when_words

register = template.Library()


@register.filter(expects_localtime=False)
def when(value: datetime | date | None) -> SafeString | str:
    """A <time> element with words for people and the exact moment for machines and tooltips."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return format_html(
            '<time datetime="{}">{}</time>', value.isoformat(), date_format(value, "j M Y")
        )
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        date_format(local, "j F Y, H:i"),
        when_words(value),
    )
