from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from downloads import views

app_name = "downloads"
urlpatterns: list[URLPattern | URLResolver] = [
    path("downloads/", views.job_list, name="jobs"),
    path("downloads/new/", views.job_new, name="job_new"),
    path("downloads/queue/", views.queue, name="queue"),
    path("downloads/<int:pk>/", views.job_detail, name="job"),
    path("downloads/<int:pk>/events/", views.job_events, name="job_events"),
    path("downloads/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("downloads/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("downloads/<int:pk>/resume/", views.job_resume, name="job_resume"),
]
