"""Catalogue imports: upload, the job page (progress by htmx polling, preview), confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.permissions import can, get_restricted_object_or_404

from ..choices import AdjustmentKind, ImportStatus
from ..display import describe_changes, describe_values, township_names
from ..forms import ImportForm
from ..importing import import_cancel, import_confirm, import_upload
from ..models import CatalogueImport
from .common import require, warn_far_ahead

# A preview lists this many changes of each kind on the page (all of them are applied).
PREVIEW_ROWS = 200


@login_required
@permission_required("powers.view_catalogueimport", raise_exception=True)
def import_list(request: HttpRequest) -> HttpResponse:
    jobs = CatalogueImport.objects.restrict(request.user, "view").select_related("created_by").defer("preview")
    page = paginate(request, jobs.order_by("-created_at", "-pk"), per_page=25)
    return render(
        request,
        "powers/import_list.html",
        {"page": page, "can_upload": request.user.has_perm("powers.add_catalogueimport")},
    )


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    require(request, "powers.add_catalogueimport")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_upload(actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, exc)
        else:
            warn_far_ahead(request, job.effective_date)
            return redirect("powers:import_detail", pk=job.pk)
    return render(request, "powers/import_form.html", {"form": form})


def _preview(job: CatalogueImport) -> dict:
    groups: dict[str, list[dict]] = {k: [] for k in AdjustmentKind.values}
    for action in job.preview.get("actions", []):
        group = groups[action["type"]]
        if len(group) >= PREVIEW_ROWS:
            continue
        shown = dict(action)
        if action["type"] == AdjustmentKind.ADD:
            shown["details"] = describe_values(action["values"])
        elif action["type"] == AdjustmentKind.CHANGE:
            shown["details"] = describe_changes(action["values"], action.get("before", {}))
            shown["add_names"] = township_names(action.get("add_townships", []))
            shown["remove_names"] = township_names(action.get("remove_townships", []))
        shown["township_names"] = township_names(action.get("townships", []))
        group.append(shown)
    counts = job.preview.get("counts", {})
    return {
        "groups": [
            (kind, label, groups[kind], counts.get(kind, 0)) for kind, label in AdjustmentKind.choices if groups[kind]
        ],
        "counts": counts,
        "file": job.preview.get("file", {}),
        "same_file_as": job.preview.get("same_file_as", []),
        "limit": PREVIEW_ROWS,
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_restricted_object_or_404(
        CatalogueImport.objects.select_related("created_by", "confirmed_by"), request.user, pk=pk
    )
    may_decide = can(request.user, "change", job)
    context = {
        "job": job,
        "running": job.is_running,
        "actions": frozenset({"confirm", "cancel"} if may_decide and job.is_previewed else ()),
        "error_total": job.summary.get("errors", len(job.errors)),
    }
    if job.status in {ImportStatus.PREVIEWED, ImportStatus.APPLYING, ImportStatus.DONE, ImportStatus.FAILED}:
        context.update(_preview(job))
    return render(request, "powers/import_detail.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar htmx polls; once the job leaves a running state the page reloads."""
    job = get_restricted_object_or_404(CatalogueImport.objects.defer("preview", "errors"), request.user, pk=pk)
    response = render(request, "powers/includes/import_progress.html", {"job": job, "running": job.is_running})
    if not job.is_running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in {"confirm", "cancel"}:
        raise Http404
    require(request, "powers.change_catalogueimport")
    job = get_restricted_object_or_404(CatalogueImport, request.user, "change", pk=pk)
    try:
        if action == "confirm":
            import_confirm(actor=request.user, job=job, emptying_confirmed=request.POST.get("emptying") == "1")
            messages.success(request, _("Confirmed: the changes are being applied."))
        else:
            import_cancel(actor=request.user, job=job)
            messages.info(request, _("The import was cancelled. Nothing was written."))
    except RuleViolation as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("powers:import_detail", pk=pk)


@login_required
def import_file(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded file as it was received."""
    job = get_restricted_object_or_404(CatalogueImport.objects.defer("preview", "errors"), request.user, pk=pk)
    try:
        stream = job.file.open("rb")
    except FileNotFoundError as exc:  # the storage lost it: say so, not a 500
        raise Http404 from exc
    return FileResponse(stream, as_attachment=True, filename=job.original_name)
