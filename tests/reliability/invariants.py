"""What must hold after any fault, written once and used by every reliability test.

`assert_job_consistent(job)`: every item ended (done, failed or no match) with a plain reason,
no partial file in MUSIC_ROOT, no duplicate rows, the job's counters equal its items, temporary
space cleaned. `assert_plain(text)`: a reason a person can read, not a stack trace.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count

from downloads.models import Job, JobItem, StoredFile
from tests.support.files import incoming_leftovers

# Signs of an exception shown as it is instead of a reason a person can act on.
_NOT_PLAIN = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r'File "[^"]*", line \d+'),
    # Class names: ReadError, OSError, RemoteProtocolError, IntegrityError, DownloadError...
    re.compile(r"\b[A-Z][A-Za-z0-9_]*(?:Error|Exception|Exit|Interrupt|Timeout)\b"),
    re.compile(r"<class '"),
    re.compile(r"\[Errno \d+\]"),
    re.compile(r"^Unexpected error", re.MULTILINE),
)
MAX_REASON = 600
# Names that only a half-finished write leaves behind.
_TEMP_SUFFIXES = (".part", ".ytdl", ".tmp", ".temp", ".ffmpeg.log")
_TEMP_PREFIXES = (".tmp", ".cover-", ".lyrics-")
AUDIO_SUFFIXES = (".opus", ".ogg", ".m4a", ".mp3", ".webm", ".aac")
PLAYLISTS = "Playlists"
INCOMING = ".incoming"


def plain_problems(text: str) -> list[str]:
    """Why `text` is not a plain reason (empty list when it is)."""
    found = [f"looks like an exception ({p.pattern!r})" for p in _NOT_PLAIN if p.search(text)]
    if "\n" in text.strip():
        found.append("spans several lines")
    if len(text) > MAX_REASON:
        found.append(f"is {len(text)} characters long")
    return found


def assert_plain(text: str, *, what: str = "reason") -> None:
    problems = plain_problems(text)
    assert text.strip(), f"empty {what}"
    assert not problems, f"{what} {text!r} is not plain: {'; '.join(problems)}"


# --- the music folder --------------------------------------------------------------------------


def music_root() -> Path:
    return Path(settings.MUSIC_ROOT).resolve()


def music_files(root: Path | None = None) -> list[Path]:
    """Audio files in the music folder (not playlists, not the incoming area)."""
    root = root or music_root()
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and root / PLAYLISTS not in p.parents and root / INCOMING not in p.parents
    )


def temp_leftovers(folder: Path) -> list[Path]:
    """Names only an unfinished write leaves behind, anywhere below `folder`."""
    if not folder.exists():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.name.endswith(_TEMP_SUFFIXES) or p.name.startswith(_TEMP_PREFIXES)
    )


def music_root_problems(root: Path | None = None) -> list[str]:
    """Partial, orphaned, escaped or unlisted files in the music folder."""
    root = root or music_root()
    problems: list[str] = []
    if leftovers := [str(p.relative_to(root)) for p in incoming_leftovers(root)]:
        problems.append(f".incoming is not empty: {leftovers[:10]}")
    problems += [f"temporary file left: {p.relative_to(root)}" for p in temp_leftovers(root)]
    for path in root.rglob("*"):
        if not path.resolve().is_relative_to(root):
            problems.append(f"{path} leads outside the music folder")
    rows = dict(StoredFile.objects.values_list("path", "size"))
    on_disk = {p.relative_to(root).as_posix(): p for p in music_files(root)}
    for relative, path in on_disk.items():
        if relative not in rows:
            problems.append(f"file without a StoredFile row (partial or orphaned): {relative}")
        elif path.stat().st_size != rows[relative]:
            problems.append(
                f"{relative} is {path.stat().st_size} bytes, its row says {rows[relative]}"
            )
    for relative in rows:
        if not (root / relative).resolve().is_relative_to(root):
            problems.append(f"StoredFile row points outside the music folder: {relative!r}")
        elif relative not in on_disk:
            problems.append(f"StoredFile row without its file: {relative}")
    problems += _playlist_problems(root)
    return problems


def _playlist_problems(root: Path) -> list[str]:
    problems = []
    for playlist in sorted((root / PLAYLISTS).rglob("*.m3u8")):
        lines = playlist.read_text(encoding="utf-8").splitlines()
        if not lines or lines[0] != "#EXTM3U":
            problems.append(f"{playlist.name} is not a complete playlist file")
        for line in lines:
            if line and not line.startswith("#"):
                target = (playlist.parent / line).resolve()
                if not target.is_relative_to(root) or not target.is_file():
                    problems.append(f"{playlist.name} lists a missing file: {line}")
    return problems


# --- rows ---------------------------------------------------------------------------------------

END_STATES = (JobItem.Status.DONE, JobItem.Status.FAILED, JobItem.Status.NO_MATCH)
_COUNTERS = {
    "done": JobItem.Status.DONE,
    "failed": JobItem.Status.FAILED,
    "no_match": JobItem.Status.NO_MATCH,
    "cancelled": JobItem.Status.CANCELLED,
}


def duplicate_row_problems() -> list[str]:
    problems = []
    files = (
        StoredFile.objects.values("track_id", "audio_format")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    problems += [
        f"{f['n']} StoredFile rows for track {f['track_id']} {f['audio_format']}" for f in files
    ]
    items = JobItem.objects.values("job_id", "track_id").annotate(n=Count("pk")).filter(n__gt=1)
    problems += [f"{i['n']} items of job {i['job_id']} for track {i['track_id']}" for i in items]
    return problems


def item_problems(item: JobItem, *, cancelled_ok: bool) -> list[str]:
    name = f"item {item.pk} ({item.track.name[:40]!r}, {item.status})"
    allowed = (*END_STATES, JobItem.Status.CANCELLED) if cancelled_ok else END_STATES
    if item.status not in allowed:
        return [f"{name} did not end"]
    problems = []
    if item.heartbeat_at is not None:
        problems.append(f"{name} still holds a heartbeat")
    if item.status == JobItem.Status.DONE:
        stored = item.stored_file
        if stored is None:
            problems.append(f"{name} is done without a file")
        elif not stored.exists_on_disk():
            problems.append(f"{name}: its file {stored.path} is not on disk")
        if item.error:
            problems.append(f"{name} is done but says {item.error!r}")
    elif item.status == JobItem.Status.FAILED:
        problems += [f"{name}: error {item.error!r} {p}" for p in plain_problems(item.error)]
        if not item.error.strip():
            problems.append(f"{name} failed without a reason")
    elif item.status == JobItem.Status.NO_MATCH:
        reason = item.error or item.match_reason
        problems += [f"{name}: reason {reason!r} {p}" for p in plain_problems(reason)]
        if not reason.strip():
            problems.append(f"{name} has no match without a reason")
    return problems


def counter_problems(job: Job, items: Iterable[JobItem]) -> list[str]:
    statuses = Counter(item.status for item in items)
    expected = {"total": sum(statuses.values())}
    expected |= {field: statuses[status] for field, status in _COUNTERS.items()}
    actual = {field: getattr(job, field) for field in expected}
    return [] if actual == expected else [f"job counters {actual} but its items say {expected}"]


def assert_job_consistent(
    job: Job,
    *,
    finished: bool = True,
    cancelled_ok: bool = False,
    temp_dirs: Iterable[Path] = (),
) -> Counter[str]:
    """Every invariant a job must hold once it stopped, whatever went wrong; returns its counts."""
    job.refresh_from_db()
    items = list(job.items.select_related("track", "stored_file").order_by("position"))
    problems: list[str] = []
    if finished and job.status not in Job.FINISHED:
        problems.append(f"job {job.pk} is still {job.status}")
    if job.error:
        problems += [f"job error {job.error!r} {p}" for p in plain_problems(job.error)]
    for item in items:
        problems += item_problems(item, cancelled_ok=cancelled_ok or job.cancel_requested)
    problems += counter_problems(job, items)
    problems += duplicate_row_problems()
    problems += music_root_problems()
    problems += [f"temporary file left: {p}" for p in temp_leftovers(Path(settings.DATA_DIR))]
    for folder in temp_dirs:
        problems += [f"temporary space not cleaned: {p}" for p in sorted(folder.rglob("*"))]
    assert not problems, f"job {job.pk} is inconsistent:\n  " + "\n  ".join(problems)
    return Counter(item.status for item in items)


def reasons(job: Job, status: str) -> Counter[str]:
    """How often each reason was given to the job's items in `status`."""
    return Counter(job.items.filter(status=status).values_list("error", flat=True))


def describe(job: Job) -> dict[str, Any]:
    job.refresh_from_db()
    return {
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "no_match": job.no_match,
        "reasons": dict(reasons(job, JobItem.Status.FAILED)),
    }
