"""`python manage.py download <link | liked | library | playlists> --user NAME [--format F]`,
or `download --resume JOB --user NAME` to go on with a cancelled or paused job.

Runs the job in this process (no worker needed) with progress bars: one for the whole job, one
per track being worked on. Ctrl+C or SIGTERM cancels cleanly: running downloads stop, their
temporary files are removed, the job ends "cancelled" and the summary is printed. Exit code: 0
when everything was downloaded, 1 when some tracks failed or had no match, 2 on an error (unknown
user, bad link...), 130 when cancelled (as a shell reports a command ended by Ctrl+C).

Links are resolved through the catalog, so what is downloaded must have been read from Spotify
first (sign in on the web page, or refresh the library).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from downloads import preferences, selectors, services
from downloads.failures import job_failure_lines
from downloads.forms import TargetError, parse_target
from downloads.models import AudioFormat, Job, JobItem
from downloads.worker import chunk as worker_chunk
from library.models import UserPlaylist
from library.sign_in_address import public_origin
from spotifydl.cli import USER_HELP, cli_demo, cli_logging, cli_person

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 2, 130
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
ALL_PLAYLISTS = "playlists"
MAX_FAILURES_LISTED = 25
STAGE_WORDS = dict(JobItem.Stage.choices)


class Command(BaseCommand):
    help = (
        "Download a Spotify link (playlist, album, track, artist), 'liked', 'library' or "
        "'playlists' for a user, with progress bars. Ctrl+C or SIGTERM cancels cleanly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "target", nargs="?", help="A Spotify link or URI, or liked, library, playlists"
        )
        parser.add_argument(
            "--resume", type=int, metavar="JOB", help="Go on with a cancelled or paused job"
        )
        parser.add_argument("--user", required=True, help=USER_HELP)
        parser.add_argument(
            "--format",
            dest="audio_format",
            choices=AudioFormat.values,
            help="original, mp3, m4a or opus (default: the person's own default format)",
        )

    def handle(
        self,
        *args: Any,
        target: str | None,
        user: str,
        audio_format: str | None,
        resume: int | None,
        **_: Any,
    ) -> None:
        # Straight to the terminal: Django's OutputWrapper adds a newline to every write.
        console = Console(file=sys.stdout, highlight=False)
        owner = cli_person(user)
        targets = [] if resume else _targets(owner, target)
        cli_demo()  # after the arguments are checked, before anything asks Spotify or YouTube
        audio_format = audio_format or preferences.default_format_for(user_id=owner.pk)
        # Outside the job's event loop a stop signal is a KeyboardInterrupt, SIGTERM included.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        jobs: list[Job] = []
        try:
            jobs = (
                _job_resume(owner, resume) if resume else _jobs_create(owner, targets, audio_format)
            )
            with cli_logging(console):
                sys.exit(_jobs_run(jobs, console))
        except KeyboardInterrupt:
            for job in jobs:
                _job_cancel(job.pk)
            console.print("[bold red]Cancelled.")
            sys.exit(EXIT_CANCELLED)


def _job_resume(owner: User, job_id: int) -> list[Job]:
    """The person's job with what its cancel or pause left undone queued again, run here."""
    try:
        job = Job.objects.get(pk=job_id)
        count = services.job_resume(job=job, user=owner, enqueue=False)
    except Job.DoesNotExist:
        raise CommandError(f"{owner} has no job {job_id}.", returncode=EXIT_ERROR) from None
    if not count:
        raise CommandError(f"Job {job_id} has nothing to resume.", returncode=EXIT_ERROR)
    return [job]


def _jobs_run(jobs: list[Job], console: Console) -> int:
    """Run the jobs in turn; a cancel stops this one and cancels those not started yet."""
    codes = []
    for n, job in enumerate(jobs):
        codes.append(CliJob(job, console).run())
        if codes[-1] == EXIT_CANCELLED:
            for later in jobs[n + 1 :]:
                _job_cancel(later.pk)
            return EXIT_CANCELLED
    return max(codes, default=EXIT_OK)


def _targets(owner: User, target: str | None) -> list[tuple[str, str]]:
    """Every playlist for `playlists` (each gets a job and .m3u8 of its own), else the one."""
    if not target:
        raise CommandError("Name what to download, or --resume JOB.", returncode=EXIT_ERROR)
    if target.strip().lower() == ALL_PLAYLISTS:
        memberships = UserPlaylist.objects.filter(user=owner, readable=True).select_related(
            "playlist"
        )
        targets: list[tuple[str, str]] = [
            (Job.Kind.PLAYLIST, m.playlist.spotify_id) for m in memberships.order_by("position")
        ]
        if not targets:
            raise CommandError("There are no readable playlists in this library.", returncode=2)
    else:
        try:
            targets = [parse_target(target)]
        except TargetError as exc:
            raise CommandError(str(exc), returncode=EXIT_ERROR) from exc
    return targets


def _jobs_create(owner: User, targets: list[tuple[str, str]], audio_format: str) -> list[Job]:
    jobs = []
    for kind, target_id in targets:
        try:
            job = services.job_start(
                owner=owner,
                kind=kind,
                target_id=target_id,
                audio_format=audio_format,
                enqueue=False,
            )
        except selectors.TargetNotFound as exc:
            if len(targets) == 1:
                raise CommandError(str(exc), returncode=EXIT_ERROR) from exc
            continue  # an empty playlist among many is not an error
        jobs.append(job)
    return jobs


class CliJob:
    """One job run in this process, drawn as rich progress bars."""

    def __init__(self, job: Job, console: Console) -> None:
        self.job = job
        self.console = console
        self.names = dict(job.items.values_list("pk", "track__name"))
        self.progress = Progress(
            TextColumn("{task.description}", justify="left"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.overall = self.progress.add_task(
            f"[bold]{job.title}", total=job.total, completed=job.processed
        )
        self.tracks: dict[int, TaskID] = {}
        self.lock = threading.Lock()
        self.cancelling = False
        self.cancel_task: asyncio.Task[None] | None = None
        self.interrupted = asyncio.Event()  # Ctrl+C, for a wait out of a YouTube pause

    def run(self) -> int:
        if self.job.is_active:
            with self.progress:
                asyncio.run(self._drive())
        self.job.refresh_from_db()
        self._summary()
        if self.cancelling or self.job.status == Job.Status.CANCELLED:
            return EXIT_CANCELLED
        return EXIT_OK if self.job.status == Job.Status.COMPLETED else EXIT_SOME_FAILED

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self._on_interrupt)
        try:
            while True:
                await worker_chunk.run_chunk(job_id=self.job.pk, chunk=None, observer=self.observe)
                if not await self._wait_out_youtube():
                    break
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
            # asyncio restores SIG_DFL for SIGTERM: outside the loop it interrupts, as Ctrl+C does.
            signal.signal(signal.SIGTERM, signal.default_int_handler)

    async def _wait_out_youtube(self) -> bool:
        """A pause for YouTube's limits or pace: this foreground process waits (saying why)
        and goes on, instead of leaving the job to the queue's workers. False: nothing to wait."""
        job = self.job
        await sync_to_async(job.refresh_from_db)()
        if job.status != Job.Status.PAUSED or job.pause_cause != Job.PauseCause.YOUTUBE:
            return False
        self.progress.update(self.overall, description=f"[bold yellow]{job.error}")
        if job.resumes_at is not None:
            seconds = (job.resumes_at - timezone.now()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.interrupted.wait(), timeout=max(0.0, seconds))
        if self.cancelling:
            if self.cancel_task is not None:
                await self.cancel_task
            return False
        self.progress.update(self.overall, description=f"[bold]{job.title}")
        await sync_to_async(job.resume)()  # not services.job_unpause: no worker should take it
        return True

    def _on_interrupt(self) -> None:
        """First Ctrl+C or SIGTERM: cancel through the job, as the web page does; later ones
        just wait."""
        if self.cancelling:
            return
        self.cancelling = True
        self.interrupted.set()
        self.progress.update(self.overall, description=f"[bold red]Cancelling {self.job.title}")
        # Kept on self: the loop holds tasks only weakly.
        self.cancel_task = asyncio.get_running_loop().create_task(
            sync_to_async(_job_cancel)(self.job.pk)
        )

    def observe(self, item_id: int, state: str, percent: int) -> None:
        """Called by the worker, also from download threads: rich's Progress is thread-safe."""
        with self.lock:
            if state in STAGE_WORDS:
                self._track_bar(item_id, state, percent)
            else:
                self._track_done(item_id)

    def _track_bar(self, item_id: int, stage: str, percent: int) -> None:
        description = f"  {self.names.get(item_id, '?')[:40]} · {STAGE_WORDS[stage].lower()}"
        if item_id not in self.tracks:
            self.tracks[item_id] = self.progress.add_task(description, total=100)
        self.progress.update(self.tracks[item_id], description=description, completed=percent)

    def _track_done(self, item_id: int) -> None:
        task = self.tracks.pop(item_id, None)
        if task is not None:
            self.progress.remove_task(task)
        self.progress.advance(self.overall)

    def _summary(self) -> None:
        job = self.job
        self.console.print(
            f"[bold]{job.title}[/]: {job.get_status_display()} · {job.done} downloaded, "
            f"{job.failed} failed, {job.no_match} without a match, {job.cancelled} cancelled"
        )
        # The words and next step of the job page (downloads/failures.py), its links in full.
        problems = job_failure_lines(job=job, base_url=public_origin(), limit=MAX_FAILURES_LISTED)
        if not problems:
            return
        table = Table("Track", "Problem", show_lines=False)
        for name, why in problems:
            table.add_row(name, why)
        self.console.print(table)


def _job_cancel(job_id: int) -> None:
    services.job_cancel(job=Job.objects.get(pk=job_id))
