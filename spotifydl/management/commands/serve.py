"""`python manage.py serve`: the web server plus the embedded background workers."""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from downloads.reaper import workers_dead_hand_back
from downloads.worker import workdir
from downloads.worker_ids import slot_host, worker_id_for
from library.sign_in_address import ANY_INTERFACE, address_mismatch, redirect_uri_on_port
from spotifydl.demo_record import demo_record_remove, demo_record_write
from spotifydl.heartbeat import beats_forget, beats_mark_down
from spotifydl.runner import ChildSpec, Supervisor, python_argv

if TYPE_CHECKING:
    from sandbox import Sandbox

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Serve the app with uvicorn and run EMBEDDED_WORKERS background workers beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.EMBEDDED_WORKERS,
            help="Background worker processes to run beside the web server (default: "
            "EMBEDDED_WORKERS). Use 0 when workers run elsewhere.",
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=settings.WEB_WORKERS,
            help="uvicorn processes serving the web (default: WEB_WORKERS).",
        )
        parser.add_argument(
            "--migrate", action="store_true", help="Apply database migrations before starting."
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        web_workers: int,
        migrate: bool,
        **options: Any,
    ) -> None:
        if web_workers < 1:
            raise CommandError("--web-workers (WEB_WORKERS) must be at least 1.")
        _port_check(host, port)
        if migrate:
            call_command("migrate", interactive=False, verbosity=1)
        _check_secrets(separate_workers=workers == 0)
        _schedule_maintenance()
        workdir.dead_runs_remove()
        slots = f"{slot_host(socket.gethostname())}:{port}/"
        beats_forget(prefix=slots)
        # A killed run of ours on this port left its workers' work held: hand it on now.
        _work_hand_back(prefix=slots)
        env = dict(os.environ)
        sandbox = None
        if not settings.SPOTIFY_CLIENT_ID:
            # The sandbox is ours: its redirect URI follows the port we listen on.
            redirect_uri = redirect_uri_on_port(settings.SPOTIFY_REDIRECT_URI, port)
            env["SPOTIFY_REDIRECT_URI"] = settings.SPOTIFY_REDIRECT_URI = redirect_uri
            sandbox, demo_env = _demo_start(host)
            env.update(demo_env)
            self.stdout.write(
                self.style.WARNING(
                    "No SPOTIFY_CLIENT_ID configured: running in demo mode on the built-in "
                    f"sandbox ({demo_env['SPOTIFY_ACCOUNTS_URL']}). See README.md to connect "
                    "your real Spotify account."
                )
            )
        else:
            self._warn_address_mismatch(host, port)
        self.stdout.write(f"spotifydl is at {_public_address(host, port)} (Ctrl+C stops it)")
        try:
            supervisor = Supervisor(
                specs=_specs(host, port, workers, slots, web_workers=web_workers),
                env=env,
                on_exit=lambda name, code, pid: _worker_gone(slots + name, pid),
            )
            code = supervisor.run()
        finally:
            beats_forget(prefix=slots)
            # Every worker is gone now, some maybe killed after the grace period.
            _work_hand_back(prefix=slots)
            if sandbox is not None:
                demo_record_remove(data_dir=settings.DATA_DIR)
                sandbox.stop()
        if code:
            sys.exit(code)

    def _warn_address_mismatch(self, host: str, port: int) -> None:
        """A real Spotify app only sends the browser back to its registered redirect URI: say
        so now, not after a failed sign-in."""
        problem = address_mismatch(redirect_uri=settings.SPOTIFY_REDIRECT_URI, host=host, port=port)
        if problem:
            self.stderr.write(self.style.WARNING(f"Sign-in will not work: {problem}"))


def _port_check(host: str, port: int) -> None:
    """Refuse at once when something listens on host:port already (spotifydl started twice):
    below, this run takes the slots of that port for a dead run's and hands on their work."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({exc.strerror}). Is spotifydl (or another "
                "server) already running there? Stop it, or choose another port with --port "
                "(or PORT)."
            ) from exc


def _worker_gone(slot: str, pid: int) -> None:
    """A worker died: down in /healthz until its replacement beats, its work handed on now."""
    beats_mark_down(name=slot)
    _work_hand_back(worker_ids=[worker_id_for(slot=slot, pid=pid)])


def _work_hand_back(*, worker_ids: Sequence[str] = (), prefix: str = "") -> None:
    """A database error here is logged: the reaper hands the work on once it is stale anyway."""
    try:
        workers_dead_hand_back(worker_ids=worker_ids, prefix=prefix)
    except DatabaseError:
        logger.warning("Could not hand on the work of dead workers", exc_info=True)


def _demo_start(host: str) -> tuple[Sandbox, dict[str, str]]:
    """The demo's sandbox, its settings for the children, and its address card in DATA_DIR for
    commands run in another terminal."""
    from spotifydl.demo import demo_environment, start_demo_sandbox

    sandbox, values = start_demo_sandbox(bind_host=host)
    demo_record_write(data_dir=settings.DATA_DIR, settings=values)
    return sandbox, demo_environment(values)


def _check_secrets(*, separate_workers: bool) -> None:
    """Refuse to start with a key other processes can't share or that can't read the stored
    secrets (the first process to check writes the installation's key sentinel)."""
    from library.key_check import key_problem
    from spotifydl.worker_checks import secret_key_problem

    problem = secret_key_problem(separate_workers=separate_workers)
    try:
        problem = problem or key_problem()
    except DatabaseError as exc:
        raise CommandError(
            f"The database is not ready ({exc}). Run `python manage.py migrate` first."
        ) from exc
    if problem:
        raise CommandError(problem)


def _schedule_maintenance() -> None:
    """The reaper and the resumer run as a self-rescheduling task; make sure one is queued."""
    from downloads.enqueue import maintenance_ensure_scheduled

    try:
        maintenance_ensure_scheduled()
    except DatabaseError as exc:
        raise CommandError(
            f"The database is not ready ({exc}). Run `python manage.py migrate` first."
        ) from exc


def _specs(
    host: str, port: int, workers: int, slots: str, *, web_workers: int = 1
) -> list[ChildSpec]:
    # Several uvicorn processes share the port (uvicorn's own --workers manager): each runs
    # its sync views on its own thread, so pages no longer queue behind one thread.
    processes = ["--workers", str(web_workers)] if web_workers > 1 else []
    web = ChildSpec(
        "web",
        python_argv(
            "-m",
            "uvicorn",
            "spotifydl.asgi:application",
            "--host",
            host,
            "--port",
            str(port),
            *processes,
            "--no-access-log",
            "--proxy-headers",
            "--timeout-graceful-shutdown",
            "3",
        ),
    )
    manage = str(settings.BASE_DIR / "manage.py")
    return [web] + [
        ChildSpec(
            f"worker-{n}",
            python_argv(
                manage, "worker", "--name", f"{slots}worker-{n}", "--interval", "0.5", "--no-reload"
            ),
            restart=True,
        )
        for n in range(1, workers + 1)
    ]


def _public_address(host: str, port: int) -> str:
    """Where to open the app: the redirect URI's origin when it is served here (sign-in only
    works there), else the address we listen on."""
    uri = urlsplit(settings.SPOTIFY_REDIRECT_URI)
    if uri.scheme == "https" or address_mismatch(
        redirect_uri=settings.SPOTIFY_REDIRECT_URI, host=host, port=port
    ):
        shown = "127.0.0.1" if host in ANY_INTERFACE else host
        return f"http://{shown}:{port}/"
    return f"{uri.scheme}://{uri.netloc}/"
