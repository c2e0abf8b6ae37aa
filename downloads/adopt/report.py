"""An import's report in plain lines, for the terminal and the admin page alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from downloads.adopt.services import ImportReport
from library.models import Track


def _name(track: Track) -> str:
    return f"{', '.join(track.artist_names())} - {track.name} ({track.spotify_id})"


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def report_lines(report: ImportReport, *, root: Path, applied: bool) -> Iterator[str]:
    verb = "Adopted" if applied else "Would adopt"
    yield (
        f"{len(report.recognised)} recognised, {len(report.already)} already on disk, "
        f"{len(report.ambiguous)} ambiguous, {len(report.unrecognised)} unrecognised"
        + (f", {len(report.failed)} failed" if report.failed else "")
        + ("." if applied else ". A dry run: nothing changed; add --apply to adopt them.")
    )
    for path, track, where in report.recognised:
        yield f"{verb}: {_shown(path, root)} → {_name(track)}" + (f" at {where}" if applied else "")
    for path, track in report.already:
        yield f"Already on disk: {_shown(path, root)} ({_name(track)})"
    for path, tracks in report.ambiguous:
        yield f"Ambiguous: {_shown(path, root)} could be " + "; or ".join(map(_name, tracks))
    for path in report.unrecognised:
        yield f"Unrecognised: {_shown(path, root)}"
    for path, reason in report.failed:
        yield f"Failed: {_shown(path, root)}: {reason}"
