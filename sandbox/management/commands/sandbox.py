"""`manage.py sandbox`: run the Spotify and media stand-ins in the foreground until Ctrl+C."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sandbox import Sandbox
from sandbox.presets import PRESETS


class Command(BaseCommand):
    help = "Runs the loopback Spotify (Accounts + Web API) and media sandbox until Ctrl+C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=0, help="Spotify port (0: any free one)")
        parser.add_argument("--media-port", type=int, default=0, help="media source port")
        parser.add_argument("--lrclib-port", type=int, default=0, help="LRCLIB (lyrics) port")
        parser.add_argument("--preset", default="demo", choices=sorted(PRESETS))
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--cache-dir", default=None, help="where generated audio is kept")
        parser.add_argument("--client-id", default=None, help="register this app client id")
        parser.add_argument("--client-secret", default=None)
        parser.add_argument("--redirect-uri", action="append", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = Sandbox(
            seed=options["seed"], preset=options["preset"], cache_dir=options["cache_dir"]
        )
        client_id = options["client_id"] or getattr(settings, "SPOTIFY_CLIENT_ID", "") or "sandbox"
        redirect_uris = options["redirect_uri"] or [
            getattr(settings, "SPOTIFY_REDIRECT_URI", "http://127.0.0.1:8000/callback/")
        ]
        sandbox.register_client(client_id, options["client_secret"], redirect_uris)
        sandbox.start(
            options["host"], options["port"], options["media_port"], options["lrclib_port"]
        )
        self.stdout.write(
            f"Sandbox running (preset {options['preset']}, seed {options['seed']}).\n"
            f"  SPOTIFY_ACCOUNTS_URL={sandbox.accounts_url}\n"
            f"  SPOTIFY_API_URL={sandbox.api_url}\n"
            f"  YTMUSIC_BASE_URL={sandbox.media_url}\n"
            f"  YOUTUBE_WATCH_BASE={sandbox.watch_base}\n"
            f"  LRCLIB_URL={sandbox.lrclib_url}\n"
            f"  client id {client_id}, redirect URIs {', '.join(redirect_uris)}\n"
            f"  admin: {sandbox.accounts_url}/_sandbox\n"
            "Press Ctrl+C to stop."
        )
        self.stdout.flush()
        # Started in the background from a script (`manage.py sandbox &`), a shell leaves SIGINT
        # ignored, and Python then keeps it so: Ctrl+C or `kill -INT` must stop it all the same.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            while True:  # timed: a SIGINT a server thread took is seen here within 0.2 s
                time.sleep(0.2)
        except KeyboardInterrupt:
            self.stdout.write("Stopping the sandbox.")
        finally:
            sandbox.stop()
