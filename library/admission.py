"""Who may sign in: the first person, named admins, invited accounts, or anyone while open.

Decided before any row is written, so a refused person leaves nothing behind. Demo mode (the
built-in sandbox, no real Spotify app) lets every sandbox account in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from library.models import AllowedAccount, SignInPolicy, SpotifyAccount
from library.roles import admins, is_named_admin
from library.spotify import types as t

# Spotify's Development Mode lets five people use an app.
DEVELOPMENT_MODE_CAP = 5


class SignInRefused(Exception):
    """This Spotify account is not invited; `ask` names the admin who can invite it."""

    def __init__(self, ask: str) -> None:
        super().__init__(f"Not invited: ask {ask}")
        self.ask = ask


@dataclass(frozen=True, slots=True)
class Admission:
    make_admin: bool  # the first person, or named in ADMIN_SPOTIFY_IDS
    invite: bool  # let in without an allowlist entry: listed now, so invite-only keeps them


def sign_in_admission(*, profile: t.User, account: SpotifyAccount | None) -> Admission | None:
    """How this person may sign in, or None when they may not."""
    first = not SpotifyAccount.objects.exists()
    named = is_named_admin(profile.id) or bool(
        profile.account_id and is_named_admin(profile.account_id)
    )
    if first or named:
        return Admission(make_admin=True, invite=not _listed(profile))
    if account is not None and account.user.is_staff:
        return Admission(make_admin=False, invite=False)
    if _listed(profile):
        return Admission(make_admin=False, invite=False)
    if settings.DEMO_MODE or not SignInPolicy.load().invite_only:
        return Admission(make_admin=False, invite=True)
    return None


def _listed(profile: t.User) -> bool:
    keys = {
        AllowedAccount.key_of(v) for v in (profile.id, profile.account_id, profile.display_name)
    }
    return AllowedAccount.objects.filter(key__in=keys - {""}).exists()


def allowed_account_add(*, identifier: str, added_by: User | None) -> AllowedAccount:
    """Invite a Spotify account by its id or display name; inviting it twice changes nothing."""
    key = AllowedAccount.key_of(identifier)
    found = AllowedAccount.objects.filter(key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AllowedAccount.objects.create(identifier=identifier, added_by=added_by)
    except IntegrityError:  # invited by someone else at the same moment
        return AllowedAccount.objects.get(key=key)


def allowed_account_remove(*, entry_id: int) -> None:
    """No longer invited: their next sign-in is refused (admins are always let in)."""
    AllowedAccount.objects.filter(pk=entry_id).delete()


def sign_in_policy_update(*, invite_only: bool) -> SignInPolicy:
    policy = SignInPolicy.load()
    policy.invite_only = invite_only
    policy.save()
    return policy


def invited_count() -> int:
    """How many people may sign in: the invited accounts, and admins not listed among them."""
    keys = set(AllowedAccount.objects.values_list("key", flat=True))
    unlisted = [
        admin
        for admin in admins().select_related("spotify_account")
        if AllowedAccount.key_of(admin.spotify_account.spotify_id) not in keys
    ]
    return len(keys) + len(unlisted)
