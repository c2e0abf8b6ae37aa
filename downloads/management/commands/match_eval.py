"""`manage.py match_eval FILE.jsonl`: score the matcher against labelled cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from downloads.pipeline.match.evaluation import evaluate_files


class Command(BaseCommand):
    help = (
        "Run the matcher over match cases (JSONL files): one line per case, then a JSON summary "
        "{cases, correct, accuracy, false_accepts, wrong_declines, wrong_picks} as the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", type=Path, nargs="+", help="match-cases.jsonl ...")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["files"]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        outcomes, summary = evaluate_files(paths)
        for outcome in outcomes:
            self.stdout.write(outcome.line())
        self.stdout.write(json.dumps(summary.to_dict()))
