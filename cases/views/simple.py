"""The simple procedure (当场处罚): the decision on a phone, handing it over, the payment, the cash
handed to the office, filing for the record (备案) and archiving (归档)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.permissions import user_scope
from pengjiang_enforcement.search import search_query
from powers.choices import PowerKind
from powers.selectors import delegated_items

from .. import selectors, services
from ..forms import CashHandoverForm, NoteForm, OnSpotForm, OnSpotPaymentForm
from ..models import OnSpotDecision
from .common import attempt, get_case, get_lead, to_case
from .leads import item_groups, item_search_answer


def _township(request: HttpRequest) -> Unit:
    """The township an officer decides for: their own (officers and heads who handle cases)."""
    township_id = user_scope(request.user).township_id
    if not township_id or not request.user.has_perm("cases.add_case"):
        raise PermissionDenied
    return Unit.objects.get(pk=township_id)


@login_required
def on_spot_new(request: HttpRequest) -> HttpResponse:
    """The on-the-spot decision (当场处罚决定书) on one page, from a lead (``?lead=``) or a patrol."""
    township = _township(request)
    lead = get_lead(request, int(request.GET["lead"]), "change") if request.GET.get("lead", "").isdigit() else None
    today = timezone.localdate()
    officers = [person for person, _cert in selectors.township_officers(township.pk, today) if person != request.user]
    initial = {"act_date": today, "kind": "person", "penalty": "fine", "collection": "bank", "party_signed": True}
    if lead is not None:
        initial |= {"place": lead.place, "facts": lead.description, "lead_version": lead.version,
                    "act_date": lead.discovered_on, "power_item": selectors.hotline_item(lead)}  # fmt: skip
    form = OnSpotForm(request.POST or None, initial=initial, township=township, officers=officers)
    if request.method == "POST" and form.is_valid():
        case = attempt(
            form,
            lambda: services.case_decide_on_spot(
                actor=request.user,
                township=township,
                lead=lead,
                expected_lead_version=form.cleaned_data.get("lead_version") if lead else None,
                **form.service_kwargs(),
            ),
        )
        if case is not None:
            messages.success(
                request, _("Decision %(number)s recorded: hand it to the party.") % {"number": case.number}
            )
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/on_spot_form.html",
        {
            "form": form,
            "lead": lead,
            "item_groups": item_groups(township.pk, today),
            "items_day": today,
            "selected_item": form["power_item"].value(),
            "search_url": reverse("cases:on_spot_item_search"),
        },
    )


@login_required
def on_spot_item_search(request: HttpRequest) -> JsonResponse:
    """JSON for the item picker of the on-the-spot form: the penalty items the officer's township
    holds today."""
    township = _township(request)
    query = search_query(request.GET.get("q", "")[:200])
    if query is None:
        return JsonResponse({"items": [], "more": False})
    items = delegated_items(township.pk, timezone.localdate()).filter(kind=PowerKind.PENALTY)
    return item_search_answer(items, query)


def _post_step(request: HttpRequest, pk: int, action: str, call, done: str) -> HttpResponse:
    case = get_case(request, pk, action)
    form = NoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        extra = {"note": data["note"]} if data.get("note") and call is not services.case_serve_on_spot else {}
        result = attempt(form, lambda: call(case=case, actor=request.user, expected_version=data["version"], **extra))
        if result is not None:
            messages.success(request, done)
            return to_case(case)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return to_case(case)


@login_required
@require_POST
def on_spot_serve(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, "change", services.case_serve_on_spot, _("The decision was handed over."))


@login_required
@require_POST
def case_file_for_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, "change", services.case_file_for_record, _("Filed for the record (备案)."))


@login_required
@require_POST
def case_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, "approve", services.case_archive, _("The case is archived."))


@login_required
def on_spot_pay(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    decision = OnSpotDecision.objects.filter(case=case).first()
    initial = {"version": case.version, "paid_on": timezone.localdate()}
    if decision is not None:
        initial |= {"amount": decision.amount, "method": "cash" if decision.collection == "on_spot" else "bank"}
    form = OnSpotPaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        done = attempt(
            form, lambda: services.case_execute_on_spot(case=case, actor=request.user, expected_version=version, **data)
        )
        if done is not None:
            messages.success(request, _("The payment was recorded."))
            return to_case(case)
    return render(request, "cases/form_page.html", {"case": case, "form": form, "title": _("Record the payment")})


@login_required
def on_spot_handover(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = CashHandoverForm(request.POST or None, initial={"handed_over_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.case_hand_over_cash(
                case=case, actor=request.user, handed_over_on=form.cleaned_data["handed_over_on"]
            ),
        )
        if done is not None:
            messages.success(request, _("The cash was handed to the office."))
            return to_case(case)
    return render(
        request, "cases/form_page.html", {"case": case, "form": form, "title": _("Hand the cash to the office")}
    )
