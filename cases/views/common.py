"""Helpers shared by the views of the cases app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.forms import add_violation
from pengjiang_enforcement.permissions import get_restricted_object_or_404

from ..models import Case, Lead


def get_case(request: HttpRequest, pk: int, action: str = "view") -> Case:
    """The case through the chokepoint: 404 if invisible, 403 if visible but ``action`` is not allowed."""
    return get_restricted_object_or_404(
        Case.objects.select_related(
            "township", "township__parent", "power_item", "lead", "requested_by", "approved_by"
        ),
        request.user,
        action,
        pk=pk,
    )


def get_lead(request: HttpRequest, pk: int, action: str = "view") -> Lead:
    return get_restricted_object_or_404(
        Lead.objects.select_related("township", "checker", "registered_by", "transfer_target", "transferred_from"),
        request.user,
        action,
        pk=pk,
    )


def attempt(form: forms.Form, call: Callable[[], Any]) -> Any:
    """Run a service; a refused rule (or an edit conflict) becomes a form error, the input is kept.
    Each rule refused is shown beside the field it is about (on top when it is about none)."""
    try:
        return call()
    except RuleViolation as exc:
        add_violation(form, exc)
        return None


def to_case(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("cases:case_detail", args=[case.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def to_lead(lead: Lead) -> HttpResponse:
    return redirect("cases:lead_detail", pk=lead.pk)


def warn(request: HttpRequest, *warnings: str | None) -> None:
    """Tell the user what looks wrong in what was saved (warnings of ``cases.rules``; none refuse)."""
    for warning in warnings:
        if warning:
            messages.warning(request, warning)
