from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template import engines
from django.urls import set_script_prefix

AWKWARD_IDS = ["37i9dQZF1DXcBWIGoYBM5M", "a b?c#d&e", "ünïcode", "100%"]


@pytest.fixture
def under_a_prefix() -> Iterator[None]:
    set_script_prefix("/music/")
    yield
    set_script_prefix("/")


def _both(source: str, **context: object) -> tuple[str, str]:
    engine = engines["django"]
    with_url = engine.from_string(source.replace("row_url", "url")).render(context)
    with_row_url = engine.from_string("{% load addresses %}" + source).render(context)
    return with_url, with_row_url


@pytest.mark.parametrize("spotify_id", AWKWARD_IDS)
def test_a_row_url_with_an_argument_is_what_the_url_tag_draws(spotify_id: str) -> None:
    url, row_url = _both("{% row_url 'library:playlist' spotify_id %}", spotify_id=spotify_id)

    assert row_url == url


def test_a_row_url_without_an_argument_is_what_the_url_tag_draws() -> None:
    url, row_url = _both("{% row_url 'downloads:job_new' %}")

    assert row_url == url == "/downloads/new/"


def test_a_row_url_follows_the_script_prefix_it_is_drawn_under(under_a_prefix: None) -> None:
    url, row_url = _both("{% row_url 'library:album' 'x' %} {% row_url 'downloads:job_new' %}")

    assert row_url == url
    assert row_url.startswith("/music/")


def test_a_row_url_kept_in_a_variable_is_escaped_where_it_is_drawn() -> None:
    url, row_url = _both(
        "{% row_url 'library:artist' spotify_id as address %}{{ address }}", spotify_id="a&b"
    )

    assert row_url == url
    assert "&amp;" in row_url
