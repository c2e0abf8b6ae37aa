"""`manage.py import_folder PATH [--user NAME] [--copy|--move|--link] [--apply]`: adopt a folder
of music someone already has. A dry run unless --apply; nothing is ever deleted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from downloads.adopt.report import report_lines
from downloads.adopt.scan import audio_files
from downloads.adopt.services import FolderError, Mode, folder_import
from spotifydl.cli import USER_HELP, cli_logging, cli_person


class Command(BaseCommand):
    help = "Recognise a folder's audio files as tracks of a person's library and adopt them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The folder to import")
        parser.add_argument("--user", help=f"{USER_HELP} (needed when there are several people)")
        modes = parser.add_mutually_exclusive_group()
        for mode, text in [
            (Mode.COPY, "copy files into the music folder (the default)"),
            (Mode.MOVE, "move files into the music folder"),
            (Mode.LINK, "leave files where they are (the folder must be in the music folder)"),
        ]:
            modes.add_argument(
                f"--{mode}", dest="mode", action="store_const", const=mode, help=text
            )
        parser.add_argument("--apply", action="store_true", help="Do it (default: a dry run)")

    def handle(
        self, *args: Any, path: Path, user: str | None, mode: str | None, apply: bool, **_: Any
    ) -> None:
        console = Console(file=sys.stdout, highlight=False)
        owner = _owner(user)
        total = sum(1 for _ in audio_files(path)) if path.is_dir() else 0
        with (
            cli_logging(console),
            Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
            ) as progress,
        ):
            bar = progress.add_task("Reading files", total=total)
            try:
                report = folder_import(
                    owner=owner,
                    folder=path,
                    mode=Mode(mode or Mode.COPY),
                    apply=apply,
                    progress=lambda _path: progress.advance(bar),
                )
            except FolderError as exc:
                raise CommandError(str(exc)) from exc
        for line in report_lines(report, root=path.resolve(), applied=apply):
            console.print(line, markup=False)


def _owner(username: str | None) -> User:
    if username:
        return cli_person(username)
    people = list(User.objects.filter(is_active=True)[:2])
    if len(people) != 1:
        raise CommandError("Say whose library with --user NAME.")
    return people[0]
