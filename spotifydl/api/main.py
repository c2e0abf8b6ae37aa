"""The API object: /api/v1/, its routers, its errors, its OpenAPI document and docs page.

The docs page is ninja's Swagger UI from ninja's bundled static files (settings put them in
STATICFILES_DIRS), so it needs no CDN.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger

from spotifydl.api import errors, files, jobs, library, matches, sync
from spotifydl.api.auth import AUTH


class LocalSwagger(Swagger):
    """Ninja's page, rendered from our template: ninja is not an installed app (it would load
    pydantic at start-up), and its own fallback pulls Swagger UI from a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = request.path.removesuffix("docs") + "openapi.json"
        context = {"swagger_settings": json.dumps(self.settings), "api": api, "add_csrf": True}
        return render(request, "api/docs.html", context)


PREFIX = "api/v1/"


class MountedApi(NinjaAPI):
    """Mounted by spotifydl.api.mount, not by include(): its root is the fixed prefix."""

    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return "/" + PREFIX


api = MountedApi(
    docs=LocalSwagger(),
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
