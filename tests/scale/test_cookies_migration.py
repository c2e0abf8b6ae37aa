"""Upgrading moves the cookies files' content into the database, encrypted: a path on the web
server's machine meant nothing to workers elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from downloads.models import DownloadSettings
from downloads.preferences import cookies_path_for
from library.crypto import decrypt_text

BEFORE = [("downloads", "0005_files_per_upload_and_personal_pins")]
AFTER = [("downloads", "0007_cookies_in_database")]
COOKIES = "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSID\tsecret-value\n"


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_file_moves_into_the_database_and_a_missing_one_is_forgotten(
    tmp_path: Path,
) -> None:
    uploaded = tmp_path / "youtube-cookies.txt"
    uploaded.write_text(COOKIES)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("downloads", "DownloadSettings").objects.create(
        pk=1, cookies_path=str(uploaded), cookies_uploaded_at="2026-01-01T00:00:00Z"
    )
    user = old.get_model("auth", "User").objects.create(username="ben")
    old.get_model("downloads", "Preferences").objects.create(
        user=user, cookies_path=str(tmp_path / "gone.txt"), cookies_uploaded_at="2026-01-01T00:00Z"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    config = DownloadSettings.load()
    assert "secret-value" not in config.cookies_blob
    assert decrypt_text(config.cookies_blob) == COOKIES
    assert Path(cookies_path_for(user_id=user.pk) or "/").read_text() == COOKIES  # the shared one
