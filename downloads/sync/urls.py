from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from downloads.sync import views

app_name = "sync"
urlpatterns: list[URLPattern | URLResolver] = [
    path("sync/", views.subscription_list, name="subscriptions"),
    path("sync/subscribe/", views.subscribe, name="subscribe"),
    path("sync/<int:pk>/", views.subscription_detail, name="subscription"),
    path("sync/<int:pk>/change/", views.subscription_change, name="change"),
    path("sync/<int:pk>/sync/", views.sync_now, name="sync_now"),
    path("sync/<int:pk>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("sync/<int:pk>/runs/", views.subscription_runs, name="runs"),
]
