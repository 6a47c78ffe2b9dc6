"""The home page: one per role, assembled from registered panels."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..home import HOME_TITLES, primary_role, registry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = primary_role(request.user)
    panels = []
    for panel in registry.for_role(role) if role else []:
        context = panel.context(request)
        panels.append({"panel": panel, "context": context})
    return render(
        request,
        "core/home.html",
        {"role": role, "home_title": HOME_TITLES.get(role) if role else None, "panels": panels},
    )
