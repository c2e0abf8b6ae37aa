"""`python manage.py library_refresh --user NAME`: read one user's library now, in this process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from library.models import LibraryRefresh
from library.refresh.service import library_refresh_create
from library.tasks import library_refresh_task
from spotifydl.cli import USER_HELP, cli_demo, cli_person


class Command(BaseCommand):
    help = "Read a user's Spotify library into the catalog (what the Refresh button does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help=USER_HELP)

    def handle(self, *args: Any, user: str, **options: Any) -> None:
        person = cli_person(user)
        cli_demo()
        refresh, _ = library_refresh_create(user=person)
        if refresh.status == LibraryRefresh.Status.RUNNING:
            raise CommandError(f"A refresh of {person.username}'s library is already running.")
        self.stdout.write(f"Reading the Spotify library of {person.username}…")
        library_refresh_task.call(refresh.pk)
        refresh.refresh_from_db()
        self._report(refresh)

    def _report(self, refresh: LibraryRefresh) -> None:
        counts = ", ".join(
            f"{name.replace('_', ' ')}: {value}" for name, value in refresh.counts.items() if value
        )
        seconds = refresh.duration.total_seconds() if refresh.duration else 0.0
        summary = (
            f"{refresh.get_status_display()} · {refresh.requests_made} requests · {seconds:.1f} s"
        )
        if refresh.status == LibraryRefresh.Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(summary))
            self.stdout.write(counts)
        elif refresh.status == LibraryRefresh.Status.PAUSED:
            self.stdout.write(self.style.WARNING(f"{summary}\n{refresh.error}"))
        else:
            raise CommandError(f"{summary}: {refresh.error}")
