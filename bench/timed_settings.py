"""The app's settings with `bench.server_timing.ServerTiming` at the top of the sync middleware
chain (below the async-only static files middleware): for the web processes P6 starts."""

from __future__ import annotations

from spotifydl.settings import *  # noqa: F403
from spotifydl.settings import MIDDLEWARE as _MIDDLEWARE

_AFTER = _MIDDLEWARE.index("servestatic.middleware.ServeStaticMiddleware") + 1
MIDDLEWARE = [*_MIDDLEWARE[:_AFTER], "bench.server_timing.ServerTiming", *_MIDDLEWARE[_AFTER:]]
