"""What every shell command of the product does first: find the running demo in demo mode, turn
`--user` into a person, and log through rich, so log lines print above the progress bars.

Usage errors exit 2, as `download` and `sync` document.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.core.management.base import CommandError
from rich.console import Console
from rich.logging import RichHandler

from library.people import PersonNotFound, person_named
from spotifydl.demo import DemoNotRunning, demo_cli_configure

EXIT_USAGE = 2
USER_HELP = "Whose library: Spotify display name, account email or Spotify user id"


def cli_demo(*, required: bool = True) -> None:
    """In demo mode, use the running demo's sandbox; `required`: refuse when none runs."""
    try:
        demo_cli_configure(required=required)
    except DemoNotRunning as exc:
        raise CommandError(str(exc), returncode=EXIT_USAGE) from exc


def cli_person(name: str) -> User:
    try:
        return person_named(name=name)
    except PersonNotFound as exc:
        raise CommandError(exc.message, returncode=EXIT_USAGE) from exc


@contextmanager
def cli_logging(console: Console) -> Iterator[None]:
    """While inside, the root logger's lines go to `console` through rich: with a progress
    display live on that console, each line prints above the bars instead of through them."""
    root = logging.getLogger()
    # settings.LOGGING's console handler; others (files, pytest's capture) stay.
    plain = [handler for handler in root.handlers if type(handler) is logging.StreamHandler]
    rich = RichHandler(console=console, show_path=False)
    for handler in plain:
        root.removeHandler(handler)
    root.addHandler(rich)
    try:
        yield
    finally:
        root.removeHandler(rich)
        for handler in plain:
            root.addHandler(handler)
