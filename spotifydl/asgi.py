"""ASGI entry point; uvicorn serves `spotifydl.asgi:application`."""

from __future__ import annotations

import os

import django

from spotifydl.request_threads import OneHopASGIHandler, ReusedThreads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spotifydl.settings")
django.setup(set_prefix=False)

# Django's own get_asgi_application(), with a request's sync work in one hop on a reused thread.
application = ReusedThreads(OneHopASGIHandler())
