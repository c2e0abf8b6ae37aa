from __future__ import annotations

from django.contrib import admin

from downloads.models import (
    DownloadSettings,
    Job,
    JobItem,
    StoredFile,
    Subscription,
    SyncRun,
    TrackPin,
)

ITEM_FIELDS = (
    "position",
    "track",
    "status",
    "attempts",
    "progress",
    "stage",
    "match_score",
    "error",
)


class JobItemInline(admin.TabularInline[JobItem, Job]):
    model = JobItem
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ITEM_FIELDS
    readonly_fields = ITEM_FIELDS
    raw_id_fields = ["track"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = ["pk", "title", "owner", "kind", "status", "done", "failed", "no_match", "total"]
    list_filter = ["status", "kind", "audio_format"]
    search_fields = ["title", "target_id", "owner__username"]
    raw_id_fields = ["owner"]
    inlines = [JobItemInline]


@admin.register(JobItem)
class JobItemAdmin(admin.ModelAdmin[JobItem]):
    list_display = ["pk", "job", "position", "track", "status", "attempts", "match_score"]
    list_filter = ["status", "stage"]
    raw_id_fields = ["job", "track", "stored_file"]


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin[StoredFile]):
    list_display = ["path", "audio_format", "codec", "size", "match_score", "created_at"]
    list_filter = ["audio_format", "codec"]
    search_fields = ["path", "source_id", "track__name"]
    raw_id_fields = ["track"]


@admin.register(TrackPin)
class TrackPinAdmin(admin.ModelAdmin[TrackPin]):
    list_display = ["track", "owner", "video_id", "pinned_by", "created_at"]
    raw_id_fields = ["track", "owner", "pinned_by"]


@admin.register(DownloadSettings)
class DownloadSettingsAdmin(admin.ModelAdmin[DownloadSettings]):
    list_display = ["default_format", "path_template", "concurrency", "updated_at"]


class SyncRunInline(admin.TabularInline[SyncRun, Subscription]):
    model = SyncRun
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "trigger", "status", "summary", "error")
    ordering = ["-created_at"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    list_display = ["title", "owner", "source", "audio_format", "schedule", "next_run_at"]
    list_filter = ["source", "schedule", "audio_format"]
    search_fields = ["title", "target_id", "owner__username"]
    raw_id_fields = ["owner"]
    inlines = [SyncRunInline]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin[SyncRun]):
    list_display = ["subscription", "status", "trigger", "added", "removed", "kept", "created_at"]
    list_filter = ["status", "trigger"]
    raw_id_fields = ["subscription", "job"]
