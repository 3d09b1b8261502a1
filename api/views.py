"""Settings pages: my API tokens (make, revoke) and my calendar address (make, reset)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.forms import TokenForm
from api.models import ApiToken, CalendarFeed
from teams import access as team_access


def _tokens_page(request: HttpRequest, form: TokenForm, **extra: object) -> dict:
    tokens = list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id"))
    return {"form": form, "tokens": tokens, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "api/tokens.html", _tokens_page(request, TokenForm()))
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(request, "api/tokens.html", _tokens_page(request, form), status=422)
    token, secret = services.token_create(
        actor=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
    )
    # Rendered, not redirected: the secret is shown this once and never kept anywhere.
    context = _tokens_page(request, TokenForm(), new_token=token, secret=secret)
    return render(request, "api/tokens.html", context, status=201)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token")
    if services.token_revoke(actor=request.user, token=token):
        messages.success(request, f"Revoked “{token.name}”; it no longer opens anything.")
    return redirect("api:tokens")


def feed_url(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("api:calendar", args=[secret]))


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """My secret calendar address: shown once when made or reset, like a token."""
    context: dict = {
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "teams": list(team_access.managed_teams(request.user).order_by("name")),
    }
    if request.method == "POST":
        secret = services.calendar_reset(actor=request.user)
        context["feed"] = CalendarFeed.objects.get(user=request.user)
        context["url"] = feed_url(request, secret)
        context["team_urls"] = [
            (t, request.build_absolute_uri(reverse("api:team_calendar", args=[secret, t.slug])))
            for t in context["teams"]
        ]
    return render(request, "api/calendar.html", context)
