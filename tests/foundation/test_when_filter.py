"""Every page shows a moment one way: `{{ value|when }}`, relative while near, absolute further
off, the exact moment always in the <time> element."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from spotifydl.moments import when_words

NOW = datetime(2026, 12, 5, 23, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (timedelta(seconds=-20), "just now"),
        (timedelta(seconds=30), "just now"),
        (timedelta(minutes=-5), "5 minutes ago"),
        (timedelta(hours=-3, minutes=-10), "3 hours ago"),
        (timedelta(minutes=15, seconds=1), "in 15 minutes"),
        (timedelta(days=-3), "2 Dec 2026, 23:23"),
        (timedelta(days=40), "14 Jan 2027, 23:23"),
    ],
)
def test_near_moments_read_relative_and_far_ones_absolute(offset: timedelta, words: str) -> None:
    assert when_words(NOW + offset, now=NOW).replace("\xa0", " ") == words


def test_the_filter_keeps_the_exact_moment_in_a_time_element(settings: object) -> None:
    moment = datetime.now(UTC) - timedelta(seconds=5)

    html = Template("{{ moment|when }}").render(Context({"moment": moment}))

    assert html.startswith(f'<time datetime="{moment.isoformat()}" title="')
    assert html.endswith(">just now</time>")


def test_a_date_without_a_time_and_nothing_at_all_are_shown_plainly() -> None:
    template = Template("[{{ day|when }}][{{ nothing|when }}]")

    html = template.render(Context({"day": date(2026, 3, 1), "nothing": None}))

    assert html == '[<time datetime="2026-03-01">1 Mar 2026</time>][]'


def test_a_far_moment_drawn_again_reads_in_the_zone_of_the_page_drawing_it() -> None:
    moment = datetime(2025, 6, 1, 22, 30, tzinfo=UTC)
    template = Template("{{ moment|when }}")

    with timezone.override("UTC"):
        first = template.render(Context({"moment": moment}))
    with timezone.override("Asia/Tokyo"):
        again = template.render(Context({"moment": moment}))

    assert ">1 Jun 2025, 22:30</time>" in first
    assert ">2 Jun 2025, 07:30</time>" in again
