"""Installation settings are the admin's alone: B gets a plain 403 on every admin URL, GET and
POST, and changes nothing. The admin URLs are found by walking Django's resolver, so a new one
is tested as soon as it exists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from downloads.models import DownloadSettings
from library.admission import allowed_account_add
from library.models import AllowedAccount, SignInPolicy

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    admin_only: bool

    def __str__(self) -> str:
        return self.name


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[Endpoint]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from _walk(pattern, prefix + str(pattern.pattern), inner or ns)
        elif isinstance(pattern, URLPattern):
            admin_only = bool(getattr(pattern.callback, "admin_only", False))
            name = f"{ns}:{pattern.name}" if ns else str(pattern.name)
            yield Endpoint(name, prefix + str(pattern.pattern), admin_only)


ENDPOINTS = [
    e for e in _walk(get_resolver(settings.ROOT_URLCONF)) if not e.name.startswith("admin:")
]
ADMIN_ENDPOINTS = [e for e in ENDPOINTS if e.admin_only]
# What the admin page's forms post, so a refusal is not just a form error.
POSTED = {
    "household:installation": {
        "default_format": "mp3",
        "path_template": "{title}.{ext}",
        "concurrency": "32",
        "sync_prune_files": "on",
        "clear_cookies": "on",
    },
    "household:sign_in_policy": {},
    "household:invite": {"identifier": "mallory"},
    "household:role": {"admin": "on"},
}


def _url(endpoint: Endpoint, ana: User, ben: User) -> str:
    kwargs: dict[str, Any] = {
        "household:uninvite": {"pk": AllowedAccount.objects.first().pk},  # type: ignore[union-attr]
        "household:role": {"user_id": ben.pk},
    }.get(endpoint.name, {})
    return reverse(endpoint.name, kwargs=kwargs)


def _installation_state() -> tuple[Any, ...]:
    config = DownloadSettings.load()
    return (
        config.default_format,
        config.path_template,
        config.concurrency,
        config.sync_prune_files,
        config.cookies_blob,
        SignInPolicy.load().invite_only,
        sorted(AllowedAccount.objects.values_list("key", flat=True)),
        sorted(User.objects.filter(is_staff=True).values_list("pk", flat=True)),
    )


def test_every_installation_url_is_admin_only_and_there_are_all_of_them() -> None:
    names = {e.name for e in ADMIN_ENDPOINTS}

    assert {e.name for e in ENDPOINTS if e.route.startswith("settings/installation/")} <= names
    assert names == {
        "household:installation",
        "household:sign_in_policy",
        "household:invite",
        "household:uninvite",
        "household:role",
        "household:import",
        "api_pages:all_tokens",
        "household:installation_notifications",
        "household:installation_notifications_test",
    }


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=str)
def test_a_person_who_is_not_an_admin_gets_403_on_every_admin_url_and_changes_nothing(
    endpoint: Endpoint, ana: User, ben: User, as_ana: Client, as_ben: Client
) -> None:
    allowed_account_add(identifier="friend", added_by=ana)
    url = _url(endpoint, ana, ben)
    before = _installation_state()

    answers = [as_ben.get(url), as_ben.post(url, POSTED.get(endpoint.name, {}))]

    for answer in answers:
        assert answer.status_code == 403
        page = answer.content.decode()
        assert "Only the admin can change this" in page and "Ask Ana Edge" in page
    assert _installation_state() == before
    assert as_ana.get(url).status_code in (200, 405)


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=str)
def test_a_visitor_is_sent_to_sign_in_on_every_admin_url(
    endpoint: Endpoint, ana: User, ben: User, client: Client
) -> None:
    allowed_account_add(identifier="friend", added_by=ana)

    answer = client.get(_url(endpoint, ana, ben))

    assert answer.status_code == 302 and answer["Location"].startswith(reverse(settings.LOGIN_URL))


def test_b_sees_the_installation_values_read_only_with_whom_to_ask(
    as_ana: Client, as_ben: Client
) -> None:
    as_ana.post(
        "/settings/installation/",
        {"default_format": "opus", "path_template": "{artist}/{title}.{ext}", "concurrency": ""},
    )

    page = as_ben.get("/settings/").content.decode()

    assert "Music is stored as <code>{artist}/{title}.{ext}</code>" in page
    assert "ask Ana Edge to change them" in page
    assert "/settings/installation/" not in page  # no link to a page B may not open
