"""Extensions of the decision deadline, and the notifications page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.permissions import get_restricted_object_or_404

from .. import services
from ..choices import ExtensionStatus
from ..forms import ExtensionDecideForm, ExtensionRequestForm
from ..models import ExtensionRequest, Notification
from ..services.deadlines import next_extension_step
from .common import attempt, get_case, to_case

NOTIFICATIONS_PER_PAGE = 50


@login_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.extension_request(case=case, actor=request.user, reason=form.cleaned_data["reason"]),
        )
        if done is not None:
            messages.success(request, _("The extension request was sent to the office head."))
            return to_case(case, "deadlines")
    return render(
        request,
        "cases/form_page.html",
        {"case": case, "form": form, "title": _("Ask for an extension"), "step": next_extension_step(case)},
    )


@login_required
def extension_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    case = get_case(request, pk, "approve")
    extension = get_restricted_object_or_404(
        ExtensionRequest.objects.filter(case=case, status=ExtensionStatus.PENDING), request.user, pk=request_pk
    )
    form = ExtensionDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.extension_decide(
                request=extension,
                actor=request.user,
                approve=data["approve"],
                note=data["note"],
                discussion_date=data["discussion_date"],
            ),
        )
        if done is not None:
            messages.success(request, _("The extension was decided."))
            return to_case(case, "deadlines")
    return render(
        request,
        "cases/form_page.html",
        {"case": case, "form": form, "title": _("Decide the extension"), "extension": extension},
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, keyset-paged by id."""
    rows = Notification.objects.restrict(request.user, "view").select_related("case", "lead")
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    page = list(rows.order_by("-id")[: NOTIFICATIONS_PER_PAGE + 1])
    has_more = len(page) > NOTIFICATIONS_PER_PAGE
    page = page[:NOTIFICATIONS_PER_PAGE]
    return render(
        request,
        "cases/notifications.html",
        {"rows": page, "next_before": page[-1].pk if has_more else None},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notification_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("cases:notifications")
