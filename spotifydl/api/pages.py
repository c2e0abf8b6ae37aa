"""The tokens pages: a person's own (create, list, revoke) and the admin's list of everyone's."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from spotifydl.api import selectors, services
from spotifydl.api.models import ApiToken
from spotifydl.auth import admin_required, request_user


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="What the token is for.")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Creating answers this page with the secret, shown once and never again."""
    user = request_user(request)
    form = TokenForm(request.POST or None)
    secret = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            secret = services.token_create(owner=user, name=form.cleaned_data["name"]).secret
            form = TokenForm()
        else:
            status = 400
    context = {"form": form, "secret": secret, "tokens": selectors.tokens_for(user=user)}
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A person revokes their own; an admin anyone's. Anyone else's id is a 404."""
    user = request_user(request)
    try:
        token = selectors.token_for(user=user, pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404("No such token") from None
    services.token_revoke(token=token)
    messages.success(request, f"“{token.name}” is revoked: it no longer works.")
    if token.owner_id != user.pk:
        return redirect("api_pages:all_tokens")
    return redirect("api_pages:tokens")


@login_required
@admin_required
def all_tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "api/all_tokens.html", {"tokens": selectors.tokens_all()})
