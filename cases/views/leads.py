"""Leads: the queue, registration, the check and its conclusions, the filing request."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.permissions import get_restricted_object_or_404, user_scope
from pengjiang_enforcement.search import search_query
from powers.choices import PowerKind
from powers.models import PowerItem
from powers.selectors import delegated_items

from .. import selectors, services
from ..filters import LeadFilterSet, due_soon_days
from ..forms import (
    AttachForm,
    FilingForm,
    LeadCorrectionForm,
    LeadEditForm,
    LeadForm,
    LeadTransferForm,
    ReasonForm,
    ReinspectForm,
    StartCheckForm,
)
from ..models import CorrectionOrder
from .common import attempt, get_lead, to_lead

PER_PAGE = 25


@login_required
@permission_required("cases.view_lead", raise_exception=True)
def lead_list(request: HttpRequest) -> HttpResponse:
    queue = LeadFilterSet(request.GET, user=request.user)
    form = queue.form
    page = paginate(request, queue.qs, PER_PAGE, keys_first=True)
    today = timezone.localdate()
    selectors.flag_rows(page.object_list, attr="check_due", today=today, soon_days=due_soon_days(request.user))
    return render(
        request,
        "cases/lead_list.html",
        {
            "page": page,
            "form": form,
            "can_add": request.user.has_perm("cases.add_lead") and user_scope(request.user).township_id,
        },
    )


@login_required
@permission_required("cases.add_lead", raise_exception=True)
def lead_create(request: HttpRequest) -> HttpResponse:
    township = request.user.township
    if township is None or not user_scope(request.user).township_id:
        raise PermissionDenied
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lead = attempt(form, lambda: services.lead_register(actor=request.user, township=township, **form.cleaned_data))
        if lead is not None:
            messages.success(request, _("Lead %(ref)s registered.") % {"ref": lead.reference})
            return to_lead(lead)
    return render(request, "cases/lead_form.html", {"form": form, "township": township})


@login_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead(request, pk, "change")
    initial = {f: getattr(lead, f) for f in services.leads.LEAD_EDITABLE_FIELDS} | {"version": lead.version}
    form = LeadEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        done = attempt(
            form, lambda: services.lead_update(lead=lead, actor=request.user, expected_version=version, **data)
        )
        if done is not None:
            messages.success(request, _("The lead was saved."))
            return to_lead(lead)
    return render(request, "cases/lead_form.html", {"form": form, "lead": lead, "township": lead.township})


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead(request, pk)
    page = selectors.lead_page(request.user, lead)
    context = {
        "lead": lead,
        "page": page,
        "can_change": page.can_change,
        "actions": page.actions,
        "files": page.files,
        "events": page.events,
        "corrections": page.corrections,
        "cases": page.cases,
        "flag": page.flag,
        "transferred_to": page.transferred_to,
    }
    if page.can_change:
        today = timezone.localdate()
        officers = [person for person, _cert in selectors.township_officers(lead.township_id, today)]
        context |= {
            "start_form": StartCheckForm(initial={"version": lead.version}, officers=officers),
            "conclusion_forms": [
                ("not_file", _("Do not file"), ReasonForm(initial={"version": lead.version}, prefix="nf")),
                (
                    "transfer",
                    _("Transfer"),
                    LeadTransferForm(initial={"version": lead.version}, lead=lead, prefix="tr"),
                ),
                (
                    "correction",
                    _("Order correction only"),
                    LeadCorrectionForm(initial={"version": lead.version}, prefix="co"),
                ),
            ],
            "attach_form": AttachForm(),
        }
    return render(request, "cases/lead_detail.html", context)


@login_required
@require_POST
def lead_start_check(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead(request, pk, "change")
    officers = [person for person, _cert in selectors.township_officers(lead.township_id, timezone.localdate())]
    form = StartCheckForm(request.POST, officers=officers)
    if form.is_valid():
        done = attempt(
            form,
            lambda: services.lead_start_check(
                lead=lead,
                actor=request.user,
                checker=form.cleaned_data["checker"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if done is not None:
            messages.success(request, _("The check has started."))
            return to_lead(lead)
    for error in form.non_field_errors():
        messages.error(request, error)
    return to_lead(lead)


def _conclusion_page(request, lead, form, which: str) -> HttpResponse:
    return render(request, "cases/lead_conclude.html", {"lead": lead, "form": form, "which": which})


@login_required
def lead_not_file(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead(request, pk, "change")
    form = ReasonForm(request.POST or None, initial={"version": lead.version}, prefix="nf")
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.lead_conclude_not_filed(
                lead=lead,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if done is not None:
            messages.success(request, _("The lead was concluded: not filed."))
            return to_lead(lead)
    return _conclusion_page(request, lead, form, "not_file")


@login_required
def lead_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead(request, pk, "change")
    form = LeadTransferForm(request.POST or None, initial={"version": lead.version}, lead=lead, prefix="tr")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.lead_transfer(
                lead=lead,
                actor=request.user,
                target=data["target"],
                reason=data["reason"],
                expected_version=data["version"],
            ),
        )
        if done is not None:
            messages.success(request, _("The lead was transferred to %(target)s.") % {"target": data["target"]})
            return to_lead(lead)
    return _conclusion_page(request, lead, form, "transfer")


@login_required
def lead_correction(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead(request, pk, "change")
    form = LeadCorrectionForm(request.POST or None, initial={"version": lead.version}, prefix="co")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = attempt(
            form,
            lambda: services.lead_order_correction(
                lead=lead,
                actor=request.user,
                content=data["content"],
                legal_basis=data["legal_basis"],
                deadline=data["deadline"],
                reason=data["reason"],
                expected_version=data["version"],
            ),
        )
        if order is not None:
            messages.success(request, _("Order to correct %(number)s issued.") % {"number": order.number})
            return to_lead(lead)
    return _conclusion_page(request, lead, form, "correction")


@login_required
def lead_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The filing request (立案审批表) that concludes the check."""
    lead = get_lead(request, pk, "change")
    today = timezone.localdate()
    officer_rows = selectors.township_officers(lead.township_id, today)
    officers = [person for person, _cert in officer_rows]
    initial = {
        "version": lead.version,
        "place": lead.place,
        "act_date": lead.discovered_on,
        "facts": lead.description,
        "lead_officer": request.user.pk,
        "power_item": selectors.hotline_item(lead),
    }
    form = FilingForm(request.POST or None, initial=initial, township=lead.township, officers=officers)
    if request.method == "POST" and form.is_valid():
        case = attempt(
            form,
            lambda: services.case_request_filing(
                lead=lead,
                actor=request.user,
                expected_lead_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            ),
        )
        if case is not None:
            messages.success(request, _("The filing was sent to the office head for approval."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/filing_form.html",
        {
            "lead": lead,
            "form": form,
            "officer_rows": officer_rows,
            # Jurisdiction is the filing date's: the items the township holds today, whatever
            # the date of the act.
            "item_groups": item_groups(lead.township_id, today),
            "items_day": today,
            "selected_item": form["power_item"].value(),
            "selected_co": [str(v) for v in form["co_officers"].value() or []],
        },
    )


def item_groups(township_id: int, day) -> list[tuple[str, list]]:
    """The penalty items the township holds on ``day``, grouped by field, for the item chooser."""
    items = delegated_items(township_id, day).filter(kind=PowerKind.PENALTY).order_by("field", "code", "sub_code")
    groups: dict[str, list] = {}
    for item in items.only("pk", "code", "sub_code", "name", "field"):
        groups.setdefault(item.field or _("Other"), []).append(item)
    return list(groups.items())


ITEM_SEARCH_ROWS = 20


@login_required
def item_search(request: HttpRequest, pk: int) -> JsonResponse:
    """JSON for the item picker: the penalty items the township holds today (the filing date)
    whose name, code or words match ``q`` (the catalogue's search), at most ``ITEM_SEARCH_ROWS``."""
    lead = get_lead(request, pk, "change")
    day = timezone.localdate()
    query = search_query(request.GET.get("q", "")[:200])
    if query is None:
        return JsonResponse({"items": [], "more": False})
    return item_search_answer(delegated_items(lead.township_id, day).filter(kind=PowerKind.PENALTY), query)


def item_search_answer(items: QuerySet[PowerItem], query: Any) -> JsonResponse:
    """The item picker's JSON: the first ``ITEM_SEARCH_ROWS`` of ``items`` matching ``query`` (a
    search query), by code, and whether more match."""
    found = list(
        items.filter(search_vector=query)
        .order_by("code", "sub_code")
        .only("pk", "code", "sub_code", "name", "field")[: ITEM_SEARCH_ROWS + 1]
    )
    return JsonResponse(
        {
            "items": [
                {"id": item.pk, "code": item.full_code, "name": item.name, "field": item.field}
                for item in found[:ITEM_SEARCH_ROWS]
            ],
            "more": len(found) > ITEM_SEARCH_ROWS,
        }
    )


@login_required
@require_POST
def lead_attach(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead(request, pk, "change")
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]

        def store():
            blob = services.blob_store(upload=upload)
            return services.lead_attach_file(lead=lead, actor=request.user, blob=blob, name=upload.name)

        if attempt(form, store) is not None:
            messages.success(request, _("The file was attached."))
            return to_lead(lead)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return to_lead(lead)


@login_required
def lead_reinspect(request: HttpRequest, pk: int, order_pk: int) -> HttpResponse:
    lead = get_lead(request, pk, "change")
    order = get_restricted_object_or_404(CorrectionOrder.objects.filter(lead=lead), request.user, pk=order_pk)
    form = ReinspectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.correction_reinspect(
                order=order,
                actor=request.user,
                reinspected_on=data["reinspected_on"],
                result=data["result"],
                note=data["note"],
            ),
        )
        if done is not None:
            messages.success(request, _("The re-inspection was recorded."))
            return to_lead(lead)
    return render(
        request,
        "cases/form_page.html",
        {"form": form, "lead": lead, "title": _("Re-inspect %(number)s") % {"number": order.number}, "order": order},
    )
