"""`python manage.py sync [--user NAME] [--all]`: sync subscriptions now and print each summary.

Each subscription is re-read from Spotify and compared with its last sync, here in this process;
the downloads it starts are queued for the background workers (`manage.py serve` or
`db_worker`). Exit code: 0 when every sync succeeded, 1 when one failed, 2 on a usage error.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from downloads.format_labels import format_short
from downloads.models import Subscription, SyncRun
from downloads.sync import services
from spotifydl.cli import USER_HELP, cli_demo, cli_person

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


class Command(BaseCommand):
    help = "Sync subscribed playlists, Liked Songs and saved albums now, printing a summary each."

    def add_arguments(self, parser: CommandParser) -> None:
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--user", help=f"Sync this person's subscriptions ({USER_HELP})")
        who.add_argument(
            "--all", dest="everyone", action="store_true", help="Sync every user's subscriptions"
        )

    def handle(self, *args: Any, user: str | None, everyone: bool, **_: Any) -> None:
        subscriptions = Subscription.objects.select_related("owner").order_by(
            "owner__username", "title", "pk"
        )
        if user is not None:
            subscriptions = subscriptions.filter(owner=cli_person(user))
        elif not everyone:
            raise CommandError(
                "Say whose subscriptions to sync: --user NAME, or --all.", returncode=EXIT_ERROR
            )
        cli_demo()
        code, downloading = EXIT_OK, False
        found = list(subscriptions)
        if not found:
            self.stdout.write("No subscriptions to sync.")
        for subscription in found:
            run = services.subscription_sync(subscription=subscription)
            self.stdout.write(_line(subscription, run))
            downloading = downloading or run.job_id is not None
            if run.status == SyncRun.Status.FAILED:
                code = EXIT_SOME_FAILED
        if downloading:
            self.stdout.write(
                "The downloads run in the background workers (manage.py serve or db_worker)."
            )
        sys.exit(code)


def _line(subscription: Subscription, run: SyncRun) -> str:
    where = (
        f"{subscription.owner.username} · {subscription.title} "
        f"({subscription.get_source_display()}, {format_short(subscription.audio_format)})"
    )
    if run.status == SyncRun.Status.FAILED:
        return f"{where}: failed: {run.summary}"
    if run.status == SyncRun.Status.RUNNING:
        return f"{where}: already being synced elsewhere"
    return f"{where}: {run.summary}"
