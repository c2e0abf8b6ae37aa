"""Signing in with Spotify: the OAuth code traded for tokens, the account found or created."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from library.admission import SignInRefused, allowed_account_add, sign_in_admission
from library.models import LibraryRefresh, SpotifyAccount
from library.oauth import code_exchange
from library.roles import admin_contact_name
from library.spotify import AsyncSpotify, StaticToken
from library.spotify import types as t
from library.tasks import library_refresh_enqueue
from library.tokens import TokenSet

USERNAME_MAX = 150


@dataclass(frozen=True, slots=True)
class SignIn:
    user: User
    created: bool
    refresh: LibraryRefresh | None  # the first reading of the library, when one was started


@sensitive_variables("code", "verifier", "tokens")
async def account_sign_in_with_code(*, code: str, verifier: str) -> SignIn:
    """Finish the OAuth dance: trade the code for tokens, ask who this is, sign them in.

    Raises SignInError or SpotifyError with a message fit to show.
    """
    tokens = await sync_to_async(code_exchange, thread_sensitive=False)(
        code=code, verifier=verifier
    )
    # The account is not known yet: this sign-in's rate-limit pauses are its own.
    spotify = AsyncSpotify(
        tokens=StaticToken(tokens.access_token), account_key=f"sign-in:{secrets.token_hex(8)}"
    )
    profile = await spotify.me()
    return await sync_to_async(account_sign_in)(profile=profile, tokens=tokens)


def account_sign_in(*, profile: t.User, tokens: TokenSet) -> SignIn:
    """The Django user of this Spotify account (created at first sign-in), with fresh tokens.

    Accounts are keyed by Spotify's stable `account_id`, falling back to the user `id`. A first
    sign-in also starts reading the library in the background. Raises SignInRefused, writing
    nothing, when the person is not invited (library.admission).
    """
    with transaction.atomic():
        account = _account_for(profile)
        admission = sign_in_admission(profile=profile, account=account)
        if admission is None:
            raise SignInRefused(admin_contact_name())
        created = account is None
        if account is None:
            user = User.objects.create_user(username=_free_username(profile.id))
            account = SpotifyAccount(user=user)
        account.account_key = profile.account_key
        account.spotify_id = profile.id
        account.account_id = profile.account_id
        account.display_name = profile.display_name
        account.image_url = profile.image_url
        account.signed_in_at = timezone.now()
        account.set_tokens(tokens)
        account.save()
        user = account.user
        user.first_name = profile.display_name[:USERNAME_MAX]
        user.is_staff = user.is_staff or admission.make_admin
        user.save(update_fields=["first_name", "is_staff"])
        if admission.invite:
            allowed_account_add(identifier=profile.id, added_by=None)
        refresh = None
        if not LibraryRefresh.objects.filter(user=user).exists():
            refresh = library_refresh_enqueue(user=user)
    return SignIn(user=user, created=created, refresh=refresh)


def _account_for(profile: t.User) -> SpotifyAccount | None:
    accounts = SpotifyAccount.objects.select_for_update().select_related("user")
    found = accounts.filter(account_key=profile.account_key).first()
    if found is None and profile.account_id:
        # Stored before Spotify sent account_id: the row is keyed by the user id.
        found = accounts.filter(account_key=profile.id).first()
    return found


def _free_username(spotify_id: str) -> str:
    base = "".join(c for c in spotify_id if c.isalnum() or c in "._-")[:100] or "spotify"
    users = User.objects
    name, n = base, 1
    while users.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name
