"""`--user NAME` of the shell commands: a Spotify id, a display name or an email finds the person;
anything else lists the accounts there are."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from library.people import PersonNotFound, person_named
from tests.factories import SpotifyAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def _person(name: str, spotify_id: str, email: str = "") -> User:
    user = UserFactory.create(first_name=name, email=email)
    SpotifyAccountFactory.create(user=user, spotify_id=spotify_id, display_name=name)
    return user


def test_a_person_is_found_by_spotify_id_display_name_in_any_case_or_email() -> None:
    ana = _person("Ana Edge", "3100iet0lacq64brlyir60sxcuqb", email="ana@example.com")
    _person("Ben Small", "3107x02474rrj0on808z60l9l0f8")

    assert person_named(name="3100iet0lacq64brlyir60sxcuqb") == ana
    assert person_named(name="ana edge") == ana
    assert person_named(name="ANA@example.com") == ana
    assert person_named(name=ana.username) == ana


def test_a_display_name_two_people_share_lists_just_them_with_email_and_id() -> None:
    _person("Sam", "31sam1", email="sam@one.example")
    _person("sam", "31sam2")
    _person("Ben Small", "31ben")

    with pytest.raises(PersonNotFound) as found:
        person_named(name="Sam")

    assert found.value.message == (
        "'Sam' matches several accounts; give the email or Spotify id of one:\n"
        "  Sam · sam@one.example · 31sam1\n"
        "  sam · no email · 31sam2"
    )


def test_an_unknown_name_lists_every_account_there_is() -> None:
    _person("Ana Edge", "31ana", email="ana@example.com")
    UserFactory.create(username="admin", first_name="")

    with pytest.raises(PersonNotFound) as found:
        person_named(name="Zed")

    assert found.value.message == (
        "No user called 'Zed'. Give the display name, email or Spotify id of one of these "
        "accounts:\n"
        "  Ana Edge · ana@example.com · 31ana\n"
        "  admin · no email · username admin"
    )


def test_with_no_accounts_at_all_the_answer_says_to_sign_in_first() -> None:
    with pytest.raises(PersonNotFound, match="no one has signed in yet"):
        person_named(name="Ana Edge")
