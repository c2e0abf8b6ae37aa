# The cookies files' content moves into the database (encrypted), so every worker machine reads
# it; until now a path on the web server's machine was stored. Depends on 0005: another branch
# may add a 0006, and the integrator relinks the chain.

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import migrations, models


def _seal(path: str) -> str:
    from library.crypto import encrypt_text

    try:
        return encrypt_text(Path(path).read_text(encoding="utf-8")) if path else ""
    except (OSError, UnicodeDecodeError):
        return ""  # gone or unreadable: the admin uploads it again


def files_into_database(apps: Any, schema_editor: Any) -> None:
    for name in ("DownloadSettings", "Preferences"):
        model = apps.get_model("downloads", name)
        for row in model.objects.exclude(cookies_path=""):
            row.cookies_blob = _seal(row.cookies_path)
            if not row.cookies_blob:
                row.cookies_uploaded_at = None
            row.save(update_fields=["cookies_blob", "cookies_uploaded_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("downloads", "0006_lyrics"),
    ]

    operations = [
        migrations.AddField(
            model_name="downloadsettings",
            name="cookies_blob",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="preferences",
            name="cookies_blob",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(files_into_database, migrations.RunPython.noop),
        migrations.RemoveField(model_name="downloadsettings", name="cookies_path"),
        migrations.RemoveField(model_name="preferences", name="cookies_path"),
    ]
