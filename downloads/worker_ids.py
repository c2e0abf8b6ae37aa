"""The id a worker process claims task rows and holds job items with.

A worker's id is its slot name (`serve` gives `host:port/worker-N`; host/pid otherwise) and its
pid, so the supervisor that saw the process die names its work at once, and a `serve` starting
again names every worker of its killed run by the slot prefix alone.
"""

from __future__ import annotations

import hashlib

MAX_LENGTH = 64  # django-tasks-db's limit for a worker id
SEPARATOR = "#"
# What `serve`'s slot names keep of the host name: ":port/worker-NNN#pid" (up to 26 characters)
# must fit after it.
HOST_ROOM = 36

_current = ""


def worker_id_for(*, slot: str, pid: int) -> str:
    """The slot is cut short to fit, never the pid: the pid is what tells two runs apart."""
    unique = f"{SEPARATOR}{pid}"
    return slot[: MAX_LENGTH - len(unique)] + unique


def slot_host(hostname: str) -> str:
    """The host as `serve` names its slots: a long name is cut and given a digest of the whole,
    so a worker id is never cut inside `:port/`, where two `serve` runs on one host differ."""
    if len(hostname) <= HOST_ROOM:
        return hostname
    digest = hashlib.blake2s(hostname.encode(), digest_size=4).hexdigest()
    return f"{hostname[: HOST_ROOM - len(digest) - 1]}~{digest}"


def worker_id_in_slots(worker_id: str, *, prefix: str) -> bool:
    """Whether the worker ran in a slot named `prefix...`, even if its id cut the slot short."""
    slot, separator, _ = worker_id.rpartition(SEPARATOR)
    if not separator or not prefix:
        return False
    cut_short = len(worker_id) == MAX_LENGTH and prefix.startswith(slot)
    return slot.startswith(prefix) or cut_short


def worker_id_adopt(worker_id: str) -> None:
    """This process is that worker: the items it holds carry its id."""
    global _current
    _current = worker_id


def worker_id_current() -> str:
    """This process's worker id; '' outside a worker (the CLI runs its own job)."""
    return _current
