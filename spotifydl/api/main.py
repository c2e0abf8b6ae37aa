"""The API object: /api/v1/, its routers, its errors, its OpenAPI document and docs page.

The docs page is ninja's Swagger UI, served from ninja's bundled static files (no CDN), since
`ninja` is an installed app.
"""

from __future__ import annotations

from ninja import NinjaAPI

from spotifydl.api import errors, files, jobs, library, matches, sync
from spotifydl.api.auth import AUTH

api = NinjaAPI(
    title="spotifydl",
    version="1",
    description="Your library and downloads, with a personal access token "
    "(Authorization: Bearer …) made on your Settings → API tokens page.",
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)
for module in (library, jobs, sync, files, matches):
    api.add_router("/", module.router)
