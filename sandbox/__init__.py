"""Loopback stand-ins for Spotify (Accounts + Web API) and for the media source (YouTube).

Never imports product code. Start one with ``Sandbox(seed=1, preset="tiny").start()``.
"""

from __future__ import annotations

from sandbox.core import DEFAULT_CLIENT_ID, Sandbox
from sandbox.youtube_faults import BOT_CHECK

__all__ = ["BOT_CHECK", "DEFAULT_CLIENT_ID", "Sandbox"]
