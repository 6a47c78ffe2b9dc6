"""12345 work orders: the township's queue, the triage queue, one order and what is done with it,
and the reply file for the hotline platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.permissions import get_restricted_object_or_404, user_scope
from powers.models import PowerItem

from ...models import Lead
from .. import selectors, services
from ..deadlines import order_flag
from ..filters import OrderFilterSet
from ..forms import (
    DecisionForm,
    ExtensionForm,
    InterimForm,
    ReasonForm,
    ReplyForm,
    RouteForm,
)
from ..models import HotlineOrder, HotlineRequest

PER_PAGE = 25


def get_order(request: HttpRequest, pk: int, action: str = "view") -> HotlineOrder:
    """The order through the chokepoint: 404 if invisible, 403 if visible but not allowed."""
    return get_restricted_object_or_404(
        HotlineOrder.objects.select_related("township", "lead", "power_item", "accepted_by", "replied_by"),
        request.user,
        action,
        pk=pk,
    )


def to_order(order: HotlineOrder, anchor: str = "") -> HttpResponse:
    url = reverse("cases:hotline:order_detail", args=[order.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _do(request: HttpRequest, order: HotlineOrder, call: Callable[[], Any], done: str) -> HttpResponse:
    """Run a service for a button of the order page; a refused rule becomes a message."""
    try:
        call()
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if done:
            messages.success(request, done)
    return to_order(order)


def _act(
    request: HttpRequest,
    order: HotlineOrder,
    form_class: type | None,
    call: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """A button of the order page: check its form, run the service with the form's data."""
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return to_order(order)
        data = form.cleaned_data
    return _do(request, order, lambda: call(data), done)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- queues ------------------------------------------------------------------------------------
@login_required
@permission_required("cases.view_hotlineorder", raise_exception=True)
def order_list(request: HttpRequest) -> HttpResponse:
    """The township's work orders (the district's for district staff), flagged by deadline."""
    district = user_scope(request.user).everything
    filterset = OrderFilterSet(request.GET, user=request.user)
    form = filterset.form
    queue = selectors.with_list_data(filterset.qs)
    page = paginate(request, queue, PER_PAGE, keys_first=True)
    selectors.flag_orders(page.object_list)
    return render(
        request,
        "cases/hotline/order_list.html",
        {
            "page": page,
            "form": form,
            "district": district,
            "tab": "queue",
            "export_query": request.GET.urlencode(),
            **_tabs(request),
        },
    )


def _tabs(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "can_triage": user.has_perm("cases.triage_hotlineorder"),
        "can_import": user.has_perm("cases.add_hotlineimport") or user.has_perm("cases.view_hotlineimport"),
        "can_export": user.has_perm("cases.export_hotlineorder"),
        "can_sources": user.has_perm("cases.view_hotlinesource"),
        "triage_count": selectors.triage_count(user),
    }


@login_required
@permission_required("cases.triage_hotlineorder", raise_exception=True)
def triage(request: HttpRequest) -> HttpResponse:
    """Orders no township holds: route them (district admin) or claim them (office head)."""
    scope = user_scope(request.user)
    page = paginate(request, selectors.triage_queue(request.user, q=request.GET.get("q", "")), PER_PAGE)
    townships = list(Unit.objects.townships())
    names = {t.pk: t.short_name for t in townships}
    for order in page.object_list:
        order.candidate_names = [names[pk] for pk in order.route_candidates if pk in names]
        order.flag = order_flag(order, timezone.localdate())
    own = next((t for t in townships if t.pk == scope.township_id), None)
    return render(
        request,
        "cases/hotline/triage.html",
        {
            "page": page,
            "townships": townships if scope.everything else [own] if own else [],
            "district": scope.everything,
            "tab": "triage",
            **_tabs(request),
        },
    )


@login_required
@require_POST
@permission_required("cases.triage_hotlineorder", raise_exception=True)
def triage_reroute(request: HttpRequest) -> HttpResponse:
    """Apply the gazetteer again to the triage queue (after district admins improved it)."""
    placed = services.triage_reroute(actor=request.user)
    messages.success(request, _("%(count)s orders found their township.") % {"count": placed})
    return redirect("cases:hotline:triage")


# --- one order -----------------------------------------------------------------------------------
@login_required
def order_by_number(request: HttpRequest, order_no: str) -> HttpResponse:
    """The order of a number (links from leads carry the number, not the id)."""
    order = get_restricted_object_or_404(HotlineOrder, request.user, "view", order_no=order_no)
    return to_order(order)


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, get_order(request, pk))


def _order_page(request: HttpRequest, order: HotlineOrder, *, phone: str = "") -> HttpResponse:
    """The order's page; ``phone`` is the citizen's full number when it was just revealed."""
    page = selectors.order_page(request.user, order)
    actions = page.actions - {"reveal_phone"} if phone else page.actions
    return render(
        request,
        "cases/hotline/order_detail.html",
        {
            "order": order,
            "page": page,
            "actions": actions,
            "flag": page.flag,
            "phone": phone or page.phone,
            "revealed": bool(phone),
            "pending": page.pending,
            "links": page.links,
            "replies": page.replies,
            "requests": page.requests,
            "events": page.events,
            "raw_rows": page.raw_rows,
            "suggestions": page.suggestions,
            "can_triage": page.can_triage,
            "reply_form": ReplyForm(initial={"version": order.version}),
            "interim_form": InterimForm(),
            "extension_form": ExtensionForm(),
            "reason_form": ReasonForm(),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def order_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the citizen's full phone number (to call back), recorded in the audit trail."""
    order = get_order(request, pk, "change")
    try:
        phone = services.order_reveal_phone(order=order, actor=request.user)
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
        return to_order(order)
    return _order_page(request, order, phone=phone)


@login_required
@require_POST
def order_accept(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    return _act(request, order, None, lambda _d: services.order_accept(order=order, actor=request.user),
                _("Order accepted."))  # fmt: skip


@login_required
@require_POST
def order_interim(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    return _act(request, order, InterimForm,
                lambda d: services.order_interim_reply(order=order, actor=request.user, text=d["text"]),
                _("Interim reply recorded."))  # fmt: skip


@login_required
@require_POST
def order_reply(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    return _act(request, order, ReplyForm,
                lambda d: services.order_reply(order=order, actor=request.user, text=d["text"],
                                               expected_version=d["version"]),
                _("The final reply was recorded; the order is closed for the hotline."))  # fmt: skip


@login_required
@require_POST
def order_extension(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    return _act(request, order, ExtensionForm,
                lambda d: services.order_request_extension(order=order, actor=request.user, reason=d["reason"],
                                                           due_on=d["due_on"]),
                _("The extension request was sent to the office head."))  # fmt: skip


@login_required
@require_POST
def order_return(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    return _act(request, order, ReasonForm,
                lambda d: services.order_request_return(order=order, actor=request.user, reason=d["reason"]),
                _("The return request was sent to the office head."))  # fmt: skip


@login_required
@require_POST
def order_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "approve")
    return _act(request, order, ReasonForm,
                lambda d: services.order_reopen(order=order, actor=request.user, reason=d["reason"]),
                _("Reopened."))  # fmt: skip


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    hotline_request = get_restricted_object_or_404(HotlineRequest, request.user, "view", pk=pk)
    order = get_order(request, hotline_request.order_id, "approve")

    def decide(data: dict[str, Any]) -> None:
        approve = data["decision"] == "approve"
        services.order_decide_request(request=hotline_request, actor=request.user, approve=approve, note=data["note"])
        messages.success(request, _("Request approved.") if approve else _("Request refused."))

    return _act(request, order, DecisionForm, decide, "")


@login_required
@require_POST
def order_route(request: HttpRequest, pk: int) -> HttpResponse:
    """Route (district admin), claim (office head), or send back to triage (office head)."""
    order = get_order(request, pk)
    scope = user_scope(request.user)
    townships = Unit.objects.townships() if scope.everything else Unit.objects.townships().filter(pk=scope.township_id)
    form = RouteForm(request.POST, townships=townships)
    if not form.is_valid():
        _form_errors(request, form)
        return to_order(order)
    township = form.cleaned_data["township"]
    reason = form.cleaned_data["reason"]
    if township is None and order.in_triage:
        messages.error(request, _("Choose the township the order goes to."))
        return redirect("cases:hotline:triage") if request.POST.get("next") == "triage" else to_order(order)
    try:
        services.order_route(order=order, actor=request.user, township=township, reason=reason)
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
        return to_order(order)
    if township is None:
        messages.success(request, _("The order went back to the triage queue."))
    else:
        messages.success(request, _("The order was routed to %(township)s.") % {"township": township.name})
    if request.POST.get("next") == "triage":
        return redirect("cases:hotline:triage")
    if not HotlineOrder.objects.restrict(request.user, "view").filter(pk=order.pk).exists():
        return redirect("cases:hotline:triage")
    return to_order(order)


@login_required
@require_POST
def order_return_untriaged(request: HttpRequest, pk: int) -> HttpResponse:
    """Return an order of no township of the district to the hotline, with the reason."""
    order = get_order(request, pk, "triage")
    response = _act(request, order, ReasonForm,
                    lambda d: services.order_return_untriaged(order=order, actor=request.user, reason=d["reason"]),
                    _("The order was returned to the hotline."))  # fmt: skip
    return redirect("cases:hotline:triage") if request.POST.get("next") == "triage" else response


@login_required
@require_POST
def order_convert(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    try:
        lead = services.order_convert_to_lead(order=order, actor=request.user)
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
        return to_order(order)
    messages.success(request, _("Lead %(ref)s registered from the work order.") % {"ref": lead.reference})
    return redirect("cases:lead_detail", pk=lead.pk)


@login_required
@require_POST
def order_link_lead(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    lead = get_restricted_object_or_404(Lead, request.user, "view", pk=request.POST.get("lead") or 0)
    return _do(
        request,
        order,
        lambda: services.order_link_to_lead(order=order, actor=request.user, lead=lead),
        _("The order now feeds lead %(ref)s.") % {"ref": lead.reference},
    )


@login_required
@require_POST
def order_item(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(request, pk, "change")
    item_id = request.POST.get("item")
    item = get_restricted_object_or_404(PowerItem, request.user, "view", pk=item_id) if item_id else None
    return _do(
        request,
        order,
        lambda: services.order_choose_item(order=order, actor=request.user, item=item),
        _("Catalogue item recorded.") if item else _("Catalogue item cleared."),
    )


# --- the reply file ------------------------------------------------------------------------------
@login_required
@permission_required("cases.export_hotlineorder", raise_exception=True)
def reply_export(request: HttpRequest) -> HttpResponse:
    """The replies and statuses in the hotline's columns, for upload to the platform (XLSX)."""
    params = request.GET.copy()
    params.setdefault("state", "")  # the reply file covers every state unless told otherwise
    filterset = OrderFilterSet(params, user=request.user)
    if not filterset.is_valid():
        raise PermissionDenied
    orders = filterset.qs.filter(pk__in=HotlineOrder.objects.restrict(request.user, "export").values("pk"))
    handle, _count = services.replies_export(actor=request.user, orders=orders, filters=request.GET.dict())
    name = f"12345-replies-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)
