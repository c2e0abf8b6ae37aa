"""Docker cannot run here; these tests check what can rot in the Docker files without it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_by_default_compose_runs_only_the_app_with_its_volumes_on_loopback(
    compose: dict[str, Any],
) -> None:
    default = {name for name, svc in compose["services"].items() if not svc.get("profiles")}

    assert default == {"app"}
    app = compose["services"]["app"]
    assert "127.0.0.1:8000:8000" in app["ports"]
    assert {"data:/data", "music:/music"} <= set(app["volumes"])
    assert {"data", "music"} <= set(compose["volumes"])


def test_postgres_profile_adds_a_healthchecked_database_the_app_waits_for(
    compose: dict[str, Any],
) -> None:
    postgres = compose["services"]["postgres"]

    assert postgres["profiles"] == ["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert compose["services"]["app"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_scale_profile_adds_replicated_workers_that_refuse_a_database_of_their_own(
    compose: dict[str, Any],
) -> None:
    worker = compose["services"]["worker"]

    assert worker["profiles"] == ["scale"]
    assert worker["deploy"]["replicas"] > 1
    assert worker["command"][:3] == ["python", "manage.py", "worker"]
    # The database comes from .env, the same for every service (tests/foundation/
    # test_compose_config.py resolves it); a worker left on SQLite refuses to start.
    assert "DATABASE_URL" not in worker.get("environment", {})
    assert "--require-shared-database" in worker["command"]


def test_compose_and_dockerfile_start_the_app_the_way_the_makefile_does(
    compose: dict[str, Any], dockerfile: str
) -> None:
    makefile = (ROOT / "Makefile").read_text()

    assert "manage.py serve" in makefile
    assert compose["services"]["app"]["command"][:3] == ["python", "manage.py", "serve"]
    assert 'CMD ["python", "manage.py", "serve", "--migrate"]' in dockerfile


def test_every_healthcheck_path_exists_in_the_app(compose: dict[str, Any], dockerfile: str) -> None:
    checks = " ".join(compose["services"]["app"]["healthcheck"]["test"]) + dockerfile
    paths = set(re.findall(r"http://127\.0\.0\.1:8000(/[\w/]*)", checks))

    assert paths == {"/healthz"}
    for path in paths:
        assert resolve(path).url_name == "healthz"


def test_dockerfile_builds_on_slim_python_with_ffmpeg_tini_and_a_non_root_user(
    dockerfile: str,
) -> None:
    assert "FROM python:3.13-slim AS build" in dockerfile
    assert re.search(r"apt-get install .*ffmpeg tini", dockerfile)
    assert re.search(r"^USER spotifydl$", dockerfile, re.MULTILINE)
    assert "collectstatic" in dockerfile
    assert 'ENTRYPOINT ["tini", "--"]' in dockerfile


def test_runtime_requirements_bring_deno_and_yt_dlp_with_its_default_extras() -> None:
    requirements = (ROOT / "requirements.txt").read_text()

    assert re.search(r"^yt-dlp\[default\]==", requirements, re.MULTILINE)
    assert re.search(r"^deno==", requirements, re.MULTILINE)
    pins = [line for line in requirements.splitlines() if line and not line.startswith("#")]
    assert all("==" in line for line in pins)
