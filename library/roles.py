"""Who administers the installation: Django's `is_staff` on the person's user.

`is_staff` is Django's own "may manage this site" flag; it is on the User every part of the app
already has in hand (request.user), so checking it needs no extra query and no import of the
Spotify side. It grants nothing in Django's /admin/ by itself (that needs model permissions or
`is_superuser`, which sign-in never sets).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from library.models import SpotifyAccount


class LastAdminError(ValueError):
    """The installation would be left without an admin."""


def is_admin(user: object) -> bool:
    return isinstance(user, User) and user.is_active and user.is_staff


def admins() -> QuerySet[User]:
    """People who administer the installation (signed in with Spotify), earliest first."""
    return User.objects.filter(
        is_staff=True, is_active=True, spotify_account__isnull=False
    ).order_by("date_joined", "pk")


def admin_contact_name() -> str:
    """Whom to ask about installation settings or an invitation: the first admin's name."""
    admin = admins().select_related("spotify_account").first()
    if admin is None:
        return "the person who set up spotifydl"
    return admin.spotify_account.display_name or admin.first_name or admin.get_username()


def is_named_admin(spotify_id: str) -> bool:
    """Named in ADMIN_SPOTIFY_IDS: an admin at every sign-in."""
    return spotify_id.casefold() in {name.casefold() for name in settings.ADMIN_SPOTIFY_IDS}


def admin_set(*, user: User, admin: bool) -> None:
    """Make someone an admin, or an ordinary person again; the last admin stays one."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not admin and locked.is_staff and not admins().exclude(pk=locked.pk).exists():
            raise LastAdminError(
                "This is the only admin: make someone else an admin first, so the installation "
                "always has one."
            )
        locked.is_staff = admin
        locked.save(update_fields=["is_staff"])
    user.is_staff = admin


def people() -> QuerySet[SpotifyAccount]:
    """Everyone who has signed in, earliest first, with their user."""
    return SpotifyAccount.objects.select_related("user").order_by("user__date_joined", "pk")
