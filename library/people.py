"""Finding a person by what they are called on the command line (`--user`): their Spotify id,
their display name (when no one else has it) or the email of their account, any case; the
username too, which is what older scripts pass."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

MAX_LISTED = 20


class PersonNotFound(LookupError):
    """No one, or more than one person, answers to the name; the message lists who exists."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def person_named(*, name: str) -> User:
    """The one person `name` stands for. Raises PersonNotFound saying who the accounts are."""
    wanted = name.strip()
    people = User.objects.select_related("spotify_account").order_by("pk")
    by_identifier = list(
        people.filter(
            Q(username=wanted)
            | Q(spotify_account__spotify_id=wanted)
            | Q(spotify_account__account_id=wanted)
            | (Q(email__iexact=wanted) & ~Q(email=""))
        ).distinct()
    )
    if len(by_identifier) == 1:
        return by_identifier[0]
    by_name = by_identifier or list(people.filter(spotify_account__display_name__iexact=wanted))
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise PersonNotFound(
            f"{name!r} matches several accounts; give the email or Spotify id of one:\n"
            + _listing(by_name)
        )
    everyone = list(people[:MAX_LISTED])
    if not everyone:
        raise PersonNotFound(
            f"No user called {name!r}: no one has signed in yet. Sign in on the web page first."
        )
    raise PersonNotFound(
        f"No user called {name!r}. Give the display name, email or Spotify id of one of "
        f"these accounts:\n{_listing(everyone, of=people)}"
    )


def _listing(found: list[User], *, of: QuerySet[User] | None = None) -> str:
    lines = [f"  {_described(person)}" for person in found]
    more = (of.count() if of is not None else len(found)) - len(found)
    if more > 0:
        lines.append(f"  … and {more} more")
    return "\n".join(lines)


def _described(person: User) -> str:
    """Display name · email · Spotify id (the username for someone without a Spotify account)."""
    account = getattr(person, "spotify_account", None)
    name = account.display_name if account is not None and account.display_name else ""
    identity = account.spotify_id if account is not None else f"username {person.username}"
    return " · ".join([name or person.username, person.email or "no email", identity])
