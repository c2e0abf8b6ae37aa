"""The admin's import page: the same import as `manage.py import_folder`, for a folder on the
server, run while the page waits (a dry run first unless "apply" is ticked)."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from downloads.adopt.report import report_lines
from downloads.adopt.services import FolderError, Mode, folder_import
from spotifydl.auth import admin_required


class ImportForm(forms.Form):
    path = forms.CharField(label="Folder on the server", max_length=4096)
    person = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        label="Whose library",
        to_field_name="username",
    )
    mode = forms.ChoiceField(
        choices=[
            (Mode.COPY, "Copy into the music folder"),
            (Mode.MOVE, "Move into the music folder"),
            (Mode.LINK, "Leave in place (inside the music folder only)"),
        ],
        initial=Mode.COPY,
    )
    apply = forms.BooleanField(required=False, label="Adopt them (untick for a dry run)")


@login_required
@admin_required
@require_http_methods(["GET", "POST"])
def folder_import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None)
    lines: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            folder = Path(form.cleaned_data["path"]).expanduser()
            apply = form.cleaned_data["apply"]
            try:
                report = folder_import(
                    owner=form.cleaned_data["person"],
                    folder=folder,
                    mode=Mode(form.cleaned_data["mode"]),
                    apply=apply,
                )
            except FolderError as exc:
                form.add_error("path", str(exc))
                status = 400
            else:
                lines = list(report_lines(report, root=folder.resolve(), applied=apply))
        else:
            status = 400
    return render(request, "adopt/import.html", {"form": form, "lines": lines}, status=status)
