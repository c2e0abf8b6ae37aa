"""ASGI entry point; uvicorn serves `spotifydl.asgi:application`."""

from __future__ import annotations

import gc
import os

import django
from django.urls import get_resolver

from spotifydl.request_threads import OneHopASGIHandler, ReusedThreads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spotifydl.settings")
django.setup(set_prefix=False)
# Every view module now (the URLconf imports them), not in a first request's time. What is loaded
# by now (some 120,000 objects) lives as long as the process: frozen, the collector's full passes,
# every 6-10 s under bench P6's load, no longer walk it while the process's pages wait (100-320 ms
# a pass before, 47-160 ms after: what is left is the requests' own garbage).
get_resolver().url_patterns  # noqa: B018 (loading is the point)
gc.freeze()

# Django's own get_asgi_application(), with a request's sync work in one hop on a reused thread.
application = ReusedThreads(OneHopASGIHandler())
