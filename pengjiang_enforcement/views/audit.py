"""The audit trail, for district staff: newest first, keyset-paginated by id."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import AuditLog

PER_PAGE = 50


@login_required
@permission_required("core.view_auditlog", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    rows = AuditLog.objects.restrict(request.user, "view").select_related("content_type")
    action = request.GET.get("action", "").strip()
    if action:
        rows = rows.filter(action__startswith=action)
    actor = request.GET.get("actor", "").strip()
    if actor:
        rows = rows.filter(actor_repr__icontains=actor)
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(id__lt=int(before))
    page = list(rows.order_by("-id")[: PER_PAGE + 1])
    has_more = len(page) > PER_PAGE
    page = page[:PER_PAGE]
    params = request.GET.copy()
    params.pop("before", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "rows": page,
            "next_before": page[-1].id if has_more else None,
            "query": params.urlencode(),
            "action": action,
            "actor": actor,
        },
    )
