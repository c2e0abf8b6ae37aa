"""The 403, 404 and 500 pages look like the app: its header, what happened, and a way back.

Django renders them through its own handlers; this module doubles as a URLconf (the app's URLs plus
two that fail) so they are reached the way a real failure reaches them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from spotifydl.urls import urlpatterns as app_urlpatterns

pytestmark = pytest.mark.django_db


def _refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("refuse/", _refuse), path("crash/", _crash), *app_urlpatterns]


@pytest.fixture
def failing_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def _page(response: Any) -> str:
    page: str = response.content.decode()
    assert 'class="site-header"' in page, "the page has the app's header"
    assert 'aria-label="Main"' in page, "and its main navigation"
    assert '<main id="main"' in page
    return page


def test_a_missing_page_answers_404_with_the_header_and_ways_back(
    client: Client, user: Any
) -> None:
    client.force_login(user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = _page(response)
    assert "This page isn't here" in page and "/no-such-page/" in page
    assert 'href="/library/"' in page and 'href="/downloads/"' in page


def test_a_visitor_on_a_missing_page_is_offered_the_home_page(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'href="/"' in _page(response)


def test_a_refusal_answers_403_with_the_header_and_ways_back(
    failing_urls: None, client: Client, user: Any
) -> None:
    client.force_login(user)

    response = client.get("/refuse/")

    assert response.status_code == 403
    page = _page(response)
    assert "You can't open this page" in page and 'href="/library/"' in page


def test_a_form_without_its_csrf_token_answers_403_with_the_header_and_what_to_do() -> None:
    response = Client(enforce_csrf_checks=True).post("/logout/")

    assert response.status_code == 403
    page = _page(response)
    assert "reload the page and send the form again" in page


def test_a_crash_answers_500_with_the_header_and_a_way_back(failing_urls: None, user: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.get("/crash/")

    assert response.status_code == 500
    page = _page(response)
    assert "Something went wrong on our side" in page and 'href="/"' in page
