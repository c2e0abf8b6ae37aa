"""Who may sign in: the first person, then only invited accounts (or anyone, when the admin opens
it up); a refused person is told whom to ask and leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from library.admission import allowed_account_add, invited_count
from library.models import AllowedAccount, SignInPolicy, SpotifyAccount
from sandbox import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_first_person_may_sign_in_on_a_new_installation(knock: Any) -> None:
    response = knock(Client(), "ana")

    assert response.status_code == 302
    assert SpotifyAccount.objects.get().display_name == "Ana Edge"


def test_an_uninvited_person_is_refused_with_whom_to_ask_and_nothing_is_stored(
    knock: Any, ana: User
) -> None:
    users_before = User.objects.count()

    response = knock(Client(), "ben")

    assert response.status_code == 403
    page = response.content.decode()
    assert "not invited" in page and "Ask Ana Edge" in page
    assert User.objects.count() == users_before
    assert not SpotifyAccount.objects.filter(display_name="Ben Small").exists()
    assert "_auth_user_id" not in Client().session


def test_an_invited_person_signs_in_by_spotify_id_or_by_display_name(
    knock: Any, ana: User, spotify: Sandbox
) -> None:
    allowed_account_add(identifier=spotify.user("ben").id, added_by=ana)
    allowed_account_add(identifier="  cleo EMPTY ", added_by=ana)

    assert knock(Client(), "ben").status_code == 302
    assert knock(Client(), "cleo").status_code == 302
    assert SpotifyAccount.objects.count() == 3


def test_someone_no_longer_invited_is_refused_at_their_next_sign_in(
    knock: Any, as_ana: Client, ben: User, spotify: Sandbox
) -> None:
    entry = AllowedAccount.objects.get(key=spotify.user("ben").id.casefold())

    as_ana.post(f"/settings/installation/invited/{entry.pk}/remove/")

    assert knock(Client(), "ben").status_code == 403


def test_when_the_admin_opens_sign_in_anyone_gets_in_and_stays_invited(
    knock: Any, as_ana: Client, spotify: Sandbox
) -> None:
    as_ana.post("/settings/installation/sign-in/", {})  # the checkbox unticked: open
    assert SignInPolicy.load().invite_only is False

    assert knock(Client(), "ben").status_code == 302
    as_ana.post("/settings/installation/sign-in/", {"invite_only": "on"})
    assert knock(Client(), "ben").status_code == 302  # listed when they came in
    assert knock(Client(), "cleo").status_code == 403


def test_in_demo_mode_every_sandbox_account_may_sign_in_and_the_first_is_the_admin(
    knock: Any, settings: Any
) -> None:
    settings.DEMO_MODE = True

    answers = [knock(Client(), key).status_code for key in ("cleo", "ana", "ben")]

    assert answers == [302, 302, 302]
    admins = User.objects.filter(is_staff=True)
    assert [u.first_name for u in admins] == ["Cleo Empty"]


def test_more_invitations_than_development_mode_allows_are_warned_about(
    as_ana: Client, ana: User
) -> None:
    for n in range(5):
        allowed_account_add(identifier=f"friend-{n}", added_by=ana)

    page = as_ana.get("/settings/installation/").content.decode()

    assert invited_count() == 6
    assert "lets only 5 use an app" in page


def test_inviting_the_same_account_twice_lists_it_once(as_ana: Client) -> None:
    for identifier in ("Friend", "friend ", "FRIEND"):
        as_ana.post("/settings/installation/invited/", {"identifier": identifier})

    assert list(AllowedAccount.objects.values_list("key", flat=True)).count("friend") == 1
