"""12345 imports: the upload page with its history, one import (progress, preview, report), the
live-feed endpoint and its sources."""

from __future__ import annotations

import json
import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError, IntegrityError, InternalError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.permissions import get_restricted_object_or_404
from pengjiang_enforcement.tabular import write_xlsx

from .. import feed as live_feed
from .. import importing, selectors, services
from ..choices import RawRowStatus
from ..forms import SourceForm, UploadForm
from ..models import HotlineImport, HotlineRawRow, HotlineSource
from ..rows import describe
from .orders import _tabs

PER_PAGE = 25


def get_job(request: HttpRequest, pk: int) -> HotlineImport:
    """The import through the chokepoint: a user who may not see it (no import permission, or
    another township's import) gets a 404, as for any object they may not see."""
    return get_restricted_object_or_404(
        HotlineImport.objects.select_related("created_by", "confirmed_by", "source"), request.user, "view", pk=pk
    )


def _may_run(request: HttpRequest) -> None:
    if not request.user.has_perm("cases.add_hotlineimport"):
        raise PermissionDenied


@login_required
@permission_required("cases.view_hotlineimport", raise_exception=True)
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload an export; the imports so far."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _may_run(request)
        if form.is_valid():
            try:
                job = importing.import_upload(actor=request.user, file=form.cleaned_data["file"])
            except RuleViolation as exc:
                form.add_error("file", exc)
            else:
                messages.success(
                    request, _("The file waits for a worker to read it; the preview appears below when it is ready.")
                )
                return redirect("cases:hotline:import_detail", pk=job.pk)
    page = paginate(request, selectors.import_history(request.user), PER_PAGE)
    return render(
        request,
        "cases/hotline/import_list.html",
        {"form": form, "page": page, "tab": "imports", **_tabs(request)},
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job(request, pk)
    view = selectors.import_page(request.user, job)
    page = paginate(request, view.problems, PER_PAGE)
    for row in page.object_list:
        row.messages = [describe(e) for e in row.errors] + [describe(w) for w in row.warnings]
    return render(
        request,
        "cases/hotline/import_detail.html",
        {
            "job": job,
            "page": page,
            "preview": view.preview,
            "earlier": view.earlier,
            "actions": view.actions,
            "columns": view.columns,
            "townships": view.townships,
            "tab": "imports",
            **_tabs(request),
        },
    )


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the progress bar; once the job stops running, the whole page reloads."""
    job = get_job(request, pk)
    response = render(request, "cases/hotline/includes/import_progress.html", {"job": job})
    if not job.is_running and request.htmx:
        response["HX-Refresh"] = "true"
    return response


def _job_action(request: HttpRequest, pk: int, call, done: str) -> HttpResponse:
    job = get_job(request, pk)
    _may_run(request)
    try:
        call(job=job, actor=request.user)
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("cases:hotline:import_detail", pk=job.pk)


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, importing.import_confirm, _("Importing: the progress shows below."))


@login_required
@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, importing.import_discard, _("The preview was discarded; nothing was imported."))


@login_required
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(request, pk, importing.import_resume, _("The import was queued again."))


@login_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows with errors or warnings, with their cells, as XLSX (to correct and import again)."""
    job = get_job(request, pk)
    rows = (
        HotlineRawRow.objects.filter(job=job)
        .exclude(status=RawRowStatus.VALID, warnings=[])
        .order_by("row_number")
        .values_list("row_number", "order_no", "status", "errors", "warnings", "cells")
    )

    def lines():
        for number, order_no, status, errors, warnings, cells in rows.iterator(chunk_size=2000):
            values = cells if isinstance(cells, list) else [json.dumps(cells, ensure_ascii=False)]
            yield [
                number,
                order_no,
                str(RawRowStatus(status).label),
                "；".join(describe(e) for e in [*errors, *warnings]),
                *values,
            ]

    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by the response)
    headers = [_("Row"), _("Work-order number"), _("Status"), _("Errors and warnings"), *job.headers]
    write_xlsx(handle, headers, lines(), title=_("Report"))
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"12345-import-{job.pk}-report.xlsx")


# --- the live feed -------------------------------------------------------------------------------
def _json_error(status: int, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"errors": [{"item": None, "errors": [message]}], **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="12345"'
    return response


@csrf_exempt
def feed(request: HttpRequest) -> JsonResponse:
    """POST work orders as JSON (a list, ``{"orders": [...]}`` or one object), with
    ``Authorization: Bearer <token>`` of a feed source. Field names: ours, the hotline's Chinese
    column names, or Open311 GeoReport v2's. All items valid: 200 with what became of each; any
    invalid: 400 with the errors of each bad item, and nothing applied."""
    if request.method != "POST":
        return _json_error(405, _("Use POST."))
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    source = services.source_for_token(token) if token else None
    if source is None:
        return _json_error(401, _("A valid feed token is required (Authorization: Bearer …)."))
    try:
        items = live_feed.feed_items(live_feed.parse_delivery(request.body))
    except RequestDataTooBig:
        return _json_error(400, _("The delivery is too large: send at most %(max)s work orders at a time.")
                           % {"max": live_feed.MAX_FEED_ITEMS}, problem="too_large")  # fmt: skip
    except live_feed.FeedProblem as exc:
        return _json_error(400, exc.message, problem=exc.code)
    if not items:
        return _json_error(400, _("The delivery holds no work order."), problem="empty")
    if len(items) > live_feed.MAX_FEED_ITEMS:
        return _json_error(
            400, _("At most %(max)s work orders per delivery.") % {"max": live_feed.MAX_FEED_ITEMS}, problem="too_many"
        )
    try:
        result = live_feed.feed_receive(source=source, items=items)
    except (DataError, IntegrityError, InternalError):  # a value or a trigger refused; not a lost connection
        return _json_error(
            400,
            _("The database refused this delivery; nothing of it was stored. Check the values and send it again."),
            problem="refused_by_database",
        )
    body = {"job": result.job.pk, "accepted": result.accepted, "items": result.items}
    if not result.accepted:
        return JsonResponse({**body, "errors": result.errors}, status=400)
    return JsonResponse({**body, "counts": result.counts})


def _sources_page(request: HttpRequest, form: SourceForm, token: str | None) -> HttpResponse:
    return render(
        request,
        "cases/hotline/sources.html",
        {
            "form": form,
            "token": token,
            "sources": HotlineSource.objects.order_by("name"),
            "endpoint": request.build_absolute_uri(reverse("cases:hotline:feed")),
            "tab": "sources",
            **_tabs(request),
        },
    )


@login_required
@permission_required("cases.view_hotlinesource", raise_exception=True)
def source_list(request: HttpRequest) -> HttpResponse:
    """Feed sources: create one (its token is shown once), rotate or switch off a token."""
    form = SourceForm(request.POST or None)
    token = None
    if request.method == "POST":
        if not request.user.has_perm("cases.add_hotlinesource"):
            raise PermissionDenied
        if form.is_valid():
            try:
                source, token = services.source_create(actor=request.user, **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error("name", exc)
            else:
                messages.success(request, _("Source %(name)s created.") % {"name": source.name})
                form = SourceForm()
    return _sources_page(request, form, token)


@login_required
@require_POST
@permission_required("cases.change_hotlinesource", raise_exception=True)
def source_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(HotlineSource, pk=pk)
    token = services.source_rotate(source=source, actor=request.user)
    messages.success(
        request, _("A new token was issued for %(name)s; the old one no longer works.") % {"name": source.name}
    )
    return _sources_page(request, SourceForm(), token)


@login_required
@require_POST
@permission_required("cases.change_hotlinesource", raise_exception=True)
def source_active(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(HotlineSource, pk=pk)
    active = request.POST.get("active") == "1"
    services.source_set_active(source=source, actor=request.user, active=active)
    return redirect("cases:hotline:source_list")
