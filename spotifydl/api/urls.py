from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from spotifydl.api import pages

app_name = "api_pages"
urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/tokens/", pages.token_list, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", pages.token_revoke, name="revoke"),
    path("settings/installation/tokens/", pages.all_tokens, name="all_tokens"),
]
