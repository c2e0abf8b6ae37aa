"""/api/v1/ in the project's URLs without loading the API up front.

django-ninja and pydantic cost the web process about 17 MB; loading them on the first API
request keeps an installation that never uses the API as small as before (the 1 GB ZIP's memory
bound in tests/delivery holds the web process to it).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RoutePattern
from django.views.decorators.csrf import csrf_exempt


@cache
def _resolver() -> URLResolver:
    from spotifydl.api.main import PREFIX, api

    patterns, _app_name, _namespace = api.urls
    return URLResolver(RoutePattern(PREFIX), patterns, app_name="api", namespace="api")


@csrf_exempt  # the API checks CSRF itself, for session requests only
async def api_entry(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    resolver = await sync_to_async(_resolver)()
    try:
        match = resolver.resolve(request.path_info.lstrip("/"))
    except Resolver404:
        return JsonResponse({"detail": "Not found"}, status=404)
    # The API's own route (under its prefix), for whoever reads it after us.
    prefix = str(resolver.pattern)
    match.route = prefix + match.route.removeprefix(prefix)
    request.resolver_match = match
    view: Any = match.func
    if iscoroutinefunction(view):
        return await view(request, *match.args, **match.kwargs)  # type: ignore[no-any-return]
    return await sync_to_async(view)(request, *match.args, **match.kwargs)  # type: ignore[no-any-return]
