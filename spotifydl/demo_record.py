"""The running demo's address card: `serve` in demo mode writes the settings its sandbox overrides
into DATA_DIR/demo-sandbox.json, so a command in another terminal can use the same sandbox.

Written atomically when the sandbox has started and removed when `serve` stops cleanly; a card
left by a killed `serve` is recognised as stale (its process is gone, or its sandbox does not
answer) and ignored.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RECORD_NAME = "demo-sandbox.json"
PROBE_TIMEOUT = 1.0

type SettingValue = str | int | bool | list[str]


@dataclass(frozen=True, slots=True)
class DemoRecord:
    pid: int
    host: str
    settings: dict[str, SettingValue]


def demo_record_path(data_dir: Path) -> Path:
    return data_dir / RECORD_NAME


def demo_record_write(*, data_dir: Path, settings: dict[str, SettingValue]) -> Path:
    """Record this process's sandbox; a reader never sees half a file (write, then rename)."""
    path = demo_record_path(data_dir)
    card = {"pid": os.getpid(), "host": socket.gethostname(), "settings": settings}
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(card, indent=2))
    temporary.replace(path)
    return path


def demo_record_remove(*, data_dir: Path) -> None:
    """Forget the card, if it is this process's (a second `serve` may have replaced it)."""
    path = demo_record_path(data_dir)
    record = _read(path)
    if record is not None and record.pid == os.getpid() and record.host == socket.gethostname():
        path.unlink(missing_ok=True)


def demo_record_read(*, data_dir: Path) -> DemoRecord | None:
    """The running demo's card; None when there is none or the `serve` that wrote it is gone."""
    record = _read(demo_record_path(data_dir))
    if record is None or not _alive(record):
        return None
    return record


def _read(path: Path) -> DemoRecord | None:
    try:
        card: Any = json.loads(path.read_text())
        return DemoRecord(pid=int(card["pid"]), host=str(card["host"]), settings=card["settings"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(record: DemoRecord) -> bool:
    if record.host == socket.gethostname() and not _process_exists(record.pid):
        return False
    # A pid can be reused, and another machine's pid can't be checked: the sandbox must answer.
    return _answers(str(record.settings.get("SPOTIFY_ACCOUNTS_URL", "")))


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname or not parts.port:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=PROBE_TIMEOUT):
            return True
    except OSError:
        return False
