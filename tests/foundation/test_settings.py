from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from spotifydl.env import env_bool, env_list, load_or_create_secret_key
from tests.support.processes import ROOT


def test_the_secret_key_is_generated_once_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"

    first = load_or_create_secret_key(path)
    second = load_or_create_secret_key(path)

    assert first == second and len(first) >= 50
    assert path.stat().st_mode & 0o777 == 0o600


def test_boolean_variables_reject_values_that_mean_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "maybe")

    with pytest.raises(ValueError, match="FLAG must be one of"):
        env_bool("FLAG", default=False)


def test_list_variables_split_on_commas_and_drop_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")

    assert env_list("HOSTS", default=[]) == ["a.example", "b.example"]


def _run_check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _run_check_deploy(
        tmp_path,
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="music.example.com",
        SPOTIFY_REDIRECT_URI="https://music.example.com/callback/",
        SECURE_SSL_REDIRECT="true",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    """Read in a child process on a fresh SQLite file, whichever database this run uses."""
    database = tmp_path / "db.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _SQLITE_SETTINGS],
        cwd=ROOT,
        env={**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    foreign_keys, journal_mode, transaction_mode = json.loads(result.stdout.splitlines()[-1])

    assert foreign_keys == [1]
    assert journal_mode == ["wal"]
    assert transaction_mode == "IMMEDIATE"


# What the child prints: the pragmas of its connection and the transaction mode it asks for.
_SQLITE_SETTINGS = """
import json
from django.db import connection
with connection.cursor() as cursor:
    foreign_keys = cursor.execute("PRAGMA foreign_keys").fetchone()
    journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()
    transaction_mode = connection.settings_dict["OPTIONS"]["transaction_mode"]
print(json.dumps([foreign_keys, journal_mode, transaction_mode]))
"""
