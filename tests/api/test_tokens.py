"""Personal access tokens: made and revoked on the person's page, shown once, stored hashed,
scoped to their owner; the admin may revoke anyone's."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spotifydl.api import services as api_services
from spotifydl.api.models import ApiToken
from spotifydl.api.services import bucket_drain, token_create
from tests.api.conftest import API, Api

pytestmark = pytest.mark.django_db


def _create(client: Client, name: str = "my script") -> str:
    response = client.post(reverse("api_pages:tokens"), {"name": name})
    assert response.status_code == 200
    found = re.search(r'<code id="new-token">([^<]+)</code>', response.content.decode())
    assert found
    return found[1]


def test_a_token_made_on_the_page_is_shown_once_and_stored_only_as_its_hash(
    client: Client, user: Any
) -> None:
    client.force_login(user)
    secret = _create(client)

    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix)
    page = client.get(reverse("api_pages:tokens")).content.decode()
    assert secret not in page
    assert token.prefix in page and "my script" in page and "Never" in page


def test_the_settings_page_links_to_the_tokens_page(client: Client, user: Any) -> None:
    client.force_login(user)
    page = client.get(reverse("household:preferences")).content.decode()
    assert reverse("api_pages:tokens") in page


def test_a_token_works_until_it_is_revoked_then_answers_401(
    client: Client, user: Any, api: Api
) -> None:
    assert api.get("/jobs").status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None

    client.force_login(user)
    client.post(reverse("api_pages:revoke", args=[token.pk]))

    answer = api.get("/jobs")
    assert answer.status_code == 401
    assert "valid token" in answer.json()["detail"]


def test_an_unknown_token_answers_401_and_no_token_at_all_too(client: Client, db: None) -> None:
    assert client.get(f"{API}/jobs", HTTP_AUTHORIZATION="Bearer sdl_nothing").status_code == 401
    assert client.get(f"{API}/jobs").status_code == 401


def test_nobody_can_revoke_another_persons_token_but_the_admin_can(
    client: Client, user: Any, other_user: Any
) -> None:
    theirs = token_create(owner=other_user, name="theirs").token
    client.force_login(user)
    assert client.post(reverse("api_pages:revoke", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("api_pages:all_tokens")).status_code == 403

    user.is_staff = True
    user.save()
    listing = client.get(reverse("api_pages:all_tokens")).content.decode()
    assert "theirs" in listing and "bo" in listing
    client.post(reverse("api_pages:revoke", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None


def test_a_token_that_spent_its_requests_answers_429_with_retry_after(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refilled far slower than any machine's pause between the drain and the request.
    monkeypatch.setattr(api_services, "RATE", 0.001)
    bucket_drain(token=ApiToken.objects.get())
    answer = api.get("/jobs")
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) >= 1


def test_token_requests_need_no_csrf_but_session_requests_do(user: Any, api: Api) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get(f"{API}/jobs").status_code == 200
    assert browser.post(f"{API}/jobs", "{}", content_type="application/json").status_code == 403

    strict = Client(enforce_csrf_checks=True)
    answer = strict.post(
        f"{API}/jobs",
        '{"kind": "liked"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.secret}",
    )
    assert answer.status_code == 400  # past authentication: the library is empty
