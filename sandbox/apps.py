"""A tiny Django app, only so that `manage.py sandbox` exists; the sandbox needs no Django."""

from __future__ import annotations

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Spotify and media sandbox"
