"""Roles: the first person to sign in is the admin (or whoever ADMIN_SPOTIFY_IDS names); an
admin makes others admins, and the last admin stays one."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from sandbox import Sandbox
from tests.support.signing_in import SignIn

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_first_person_to_sign_in_is_the_admin_and_the_next_is_not(ana: User, ben: User) -> None:
    assert ana.is_staff and not ana.is_superuser
    assert not ben.is_staff


def test_people_named_in_admin_spotify_ids_are_admins_when_they_sign_in(
    sign_in: SignIn, spotify: Sandbox, settings: Any, ana: User
) -> None:
    settings.ADMIN_SPOTIFY_IDS = [spotify.user("ben").id.upper()]

    assert sign_in("ben").is_staff


def test_an_admin_makes_another_person_an_admin(as_ana: Client, ben: User) -> None:
    response = as_ana.post(f"/settings/installation/people/{ben.pk}/role/", {"admin": "on"})

    assert response.status_code == 302
    ben.refresh_from_db()
    assert ben.is_staff


def test_the_last_admin_cannot_step_down_but_can_once_another_is_admin(
    as_ana: Client, ana: User, ben: User
) -> None:
    as_ana.post(f"/settings/installation/people/{ana.pk}/role/", {})
    ana.refresh_from_db()
    assert ana.is_staff
    assert "This is the only admin" in as_ana.get("/settings/installation/").content.decode()

    as_ana.post(f"/settings/installation/people/{ben.pk}/role/", {"admin": "on"})
    as_ana.post(f"/settings/installation/people/{ana.pk}/role/", {})
    ana.refresh_from_db()
    assert not ana.is_staff
    assert User.objects.get(pk=ben.pk).is_staff


def test_an_admin_made_a_member_again_loses_the_admin_page(as_ana: Client, ben: User) -> None:
    as_ana.post(f"/settings/installation/people/{ben.pk}/role/", {"admin": "on"})
    ben_client = Client()
    ben_client.force_login(ben)
    assert ben_client.get("/settings/installation/").status_code == 200

    as_ana.post(f"/settings/installation/people/{ben.pk}/role/", {})

    assert ben_client.get("/settings/installation/").status_code == 403
