"""Case queues, the XLSX export, the case page and the filing decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.search import search_query

from .. import rules, selectors, services
from ..choices import CASE_EDITABLE_FILING_STATES
from ..filters import CaseFilterSet, due_soon_days, filter_items
from ..forms import (
    CaseEditForm,
    FilingForm,
    NoteForm,
    OfficersChangeForm,
    PenaltyLineFormSet,
    ReasonForm,
    ReportForm,
    VersionedForm,
)
from .common import attempt, get_case, to_case, warn
from .leads import item_groups, item_search_answer

PER_PAGE = 25
REPORT_FIELDS = ("facts_found", "evidence_summary", "violated_provision", "penalty_provision", "circumstances")


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list(request: HttpRequest, scope: str = "township") -> HttpResponse:
    """My cases, or the township's (the district's for district staff): filtered, sorted, paged."""
    queue = CaseFilterSet(request.GET, user=request.user, scope=scope)
    # The township of each row is shown on the district's list only.
    rows = selectors.with_list_data(queue.qs, township=queue.queue == "all")
    page = paginate(request, rows, PER_PAGE, keys_first=True)
    selectors.flag_rows(
        page.object_list,
        attr="next_due_on",
        today=timezone.localdate(),
        soon_days=due_soon_days(request.user),
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "form": queue.form,
            "scope": queue.queue,
            "can_export": request.user.has_perm("cases.export_case"),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
@permission_required("cases.view_case", raise_exception=True)
def item_filter_search(request: HttpRequest) -> JsonResponse:
    """JSON for the queue's item picker: the items the user may filter cases by whose name, code
    or words match ``q``."""
    query = search_query(request.GET.get("q", "")[:200])
    if query is None:
        return JsonResponse({"items": [], "more": False})
    return item_search_answer(filter_items(request.user), query)


@login_required
@permission_required("cases.export_case", raise_exception=True)
def case_export(request: HttpRequest) -> FileResponse:
    """The filtered list as XLSX (identity numbers masked), bounded, through the chokepoint."""
    queue = CaseFilterSet(request.GET, user=request.user, scope=request.GET.get("scope", "township"))
    handle, _rows, _truncated = services.case_list_export(
        actor=request.user, cases=queue.qs, query=request.GET.urlencode()
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"cases-{stamp}.xlsx")


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page: summary, parties, officers, evidence, records, deadlines, timeline."""
    case = get_case(request, pk)
    services.case_record_view(case=case, actor=request.user)
    page = selectors.case_page(request.user, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "page": page,
            "file": page.file,
            "flag": page.flag,
            "history": page.history,
            "actions": page.actions,
            "can_change": page.can_change,
            "can_approve": page.can_approve,
            "pending_extension": page.pending_extension,
            "approve_form": NoteForm(initial={"version": case.version}, prefix="ap"),
            "return_form": ReasonForm(initial={"version": case.version}, prefix="rt"),
            "version_form": VersionedForm(initial={"version": case.version}),
        },
    )


TIMELINE_PER_PAGE = 50


@login_required
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole timeline of a case, newest first, a page at a time (the case page shows the
    newest events only)."""
    case = get_case(request, pk)
    events, whole = selectors.case_timeline(request.user, case)
    page = paginate(request, events, TIMELINE_PER_PAGE)
    return render(request, "cases/case_timeline.html", {"case": case, "page": page, "whole": whole})


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    filing = case.state in CASE_EDITABLE_FILING_STATES
    if filing:
        today = timezone.localdate()
        officer_rows = selectors.township_officers(case.township_id, today)
        links = list(case.officer_links.order_by("id"))
        initial = {
            "version": case.version,
            "act_date": case.act_date,
            "act_continuing": case.act_continuing,
            "act_end_date": case.act_end_date,
            "serious_harm": case.serious_harm,
            "power_item": case.power_item_id,
            "title": case.title,
            "facts": case.facts,
            "place": case.place,
            "lead_officer": links[0].user_id if links else None,
            "co_officers": [link.user_id for link in links[1:]],
        }
        form = FilingForm(
            request.POST or None,
            initial=initial,
            township=case.township,
            officers=[person for person, _cert in officer_rows],
        )
    else:
        form = CaseEditForm(
            request.POST or None,
            initial={"version": case.version, "title": case.title, "facts": case.facts, "place": case.place},
        )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if filing:
            kwargs = form.service_kwargs()
            officers = {"lead_officer": kwargs.pop("lead_officer"), "co_officers": kwargs.pop("co_officers")}
        else:
            kwargs, officers = data, {}
        done = attempt(
            form,
            lambda: services.case_update(
                case=case, actor=request.user, expected_version=version, changes=kwargs, **officers
            ),
        )
        if done is not None:
            messages.success(request, _("The case was saved."))
            return to_case(case)
    context = {"case": case, "form": form, "filing": filing}
    if filing:
        today = timezone.localdate()
        context |= {
            "officer_rows": officer_rows,
            "item_groups": item_groups(case.township_id, today),
            "items_day": today,
            "selected_item": form["power_item"].value(),
            "selected_co": [str(v) for v in form["co_officers"].value() or []],
            "lead": case.lead,
            "returned": selectors.filing_return(case),
        }
        return render(request, "cases/filing_form.html", context)
    return render(request, "cases/form_page.html", context | {"title": _("Edit the case")})


def _decision(request: HttpRequest, pk: int, action: str, form_class, prefix: str, call, success: str, template_title):
    case = get_case(request, pk, action)
    form = form_class(request.POST or None, initial={"version": case.version}, prefix=prefix)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(form, lambda: call(case, form.cleaned_data)) is not None
    ):
        messages.success(request, success)
        return to_case(case)
    return render(request, "cases/form_page.html", {"case": case, "form": form, "title": template_title})


@login_required
def case_approve(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "approve")
    form = NoteForm(request.POST or None, initial={"version": case.version}, prefix="ap")
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.case_approve_filing(
                case=case,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            ),
        )
        if done is not None:
            messages.success(request, _("Filing approved: case number %(number)s.") % {"number": done.number})
            return to_case(case)
    return render(request, "cases/form_page.html", {"case": case, "form": form, "title": _("Approve the filing")})


@login_required
def case_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        "approve",
        ReasonForm,
        "rt",
        lambda case, d: services.case_return_filing(
            case=case, actor=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        _("The filing was returned to the handling officers."),
        _("Return the filing for changes"),
    )


@login_required
def case_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        "change",
        ReasonForm,
        "wd",
        lambda case, d: services.case_withdraw_filing(
            case=case, actor=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        _("The filing was withdrawn; the lead is back under check."),
        _("Withdraw the filing"),
    )


@login_required
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        "change",
        ReasonForm,
        "ro",
        lambda case, d: services.case_reopen_investigation(
            case=case, actor=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        _("The investigation was reopened."),
        _("Reopen the investigation"),
    )


@login_required
@require_POST
def case_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = VersionedForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            lambda: services.case_resubmit_filing(
                case=case, actor=request.user, expected_version=form.cleaned_data["version"]
            ),
        )
        if done is not None:
            messages.success(request, _("The filing was submitted again."))
            return to_case(case)
    for error in form.non_field_errors():
        messages.error(request, error)
    return to_case(case)


def _proposal_draft(data: dict, lines: Any) -> services.ProposalDraft:
    return services.ProposalDraft(
        outcome=data["outcome"],
        reasons=data["reasons"],
        no_penalty_ground=data["no_penalty_ground"],
        transfer_kind=data["transfer_kind"],
        transfer_to=data["transfer_to"],
        band=data["band"],
        lines=tuple(
            services.PenaltyLineDraft(kind=f["kind"], amount=f["amount"], detail=f["detail"])
            for f in (form.cleaned_data for form in lines.forms)
            if f.get("kind")
        ),
    )


@login_required
def case_close_investigation(request: HttpRequest, pk: int) -> HttpResponse:
    """The investigation-end report with its structured proposal; submitting it closes the
    investigation. The item's list entries and the parties' earlier cases are shown beside it as
    suggestions: nothing is applied unless the officer chooses it."""
    case = get_case(request, pk, "change")
    options = selectors.proposal_options(request.user, case)
    form = ReportForm(
        request.POST or None,
        initial={"version": case.version, **selectors.report_draft(case)},
        bands=options.bands,
    )
    lines = PenaltyLineFormSet(request.POST or None, prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        report = {k: data[k] for k in REPORT_FIELDS}
        done = attempt(
            form,
            lambda: services.case_close_investigation(
                case=case,
                actor=request.user,
                expected_version=version,
                proposal=_proposal_draft(data, lines),
                **report,
            ),
        )
        if done is not None:
            messages.success(request, _("The investigation is closed."))
            warn(request, rules.first_violation_earlier_cases_warning(data["no_penalty_ground"], options.earlier))
            return to_case(case)
    return render(
        request,
        "cases/report_form.html",
        {"case": case, "form": form, "lines": lines, "options": options, "title": _("Investigation-end report")},
    )


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """What waits for an office head: filings and extensions of the township."""
    if not request.user.has_perm("cases.approve_case"):
        raise PermissionDenied
    return render(request, "cases/approvals.html", selectors.approvals_waiting(request.user, limit=100))


@login_required
def case_officers(request: HttpRequest, pk: int) -> HttpResponse:
    """The office head changes the handling officers of a filed case, with a reason."""
    case = get_case(request, pk, "approve")
    officer_rows = selectors.township_officers(case.township_id, timezone.localdate())
    links = list(case.officer_links.select_related("user").order_by("id"))
    form = OfficersChangeForm(
        request.POST or None,
        initial={
            "version": case.version,
            "lead_officer": links[0].user_id if links else None,
            "co_officers": [link.user_id for link in links[1:]],
        },
        officers=[person for person, _cert in officer_rows],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.case_change_officers(
                case=case,
                actor=request.user,
                lead_officer=data["lead_officer"],
                co_officers=list(data["co_officers"]),
                reason=data["reason"],
                expected_version=data["version"],
            ),
        )
        if done is not None:
            messages.success(request, _("The handling officers were changed."))
            return to_case(case, "officers")
    context = {
        "case": case,
        "form": form,
        "title": _("Change the handling officers"),
        "officer_rows": officer_rows,
        "current": links,
        "selected_co": [str(v) for v in form["co_officers"].value() or []],
    }
    return render(request, "cases/officers_form.html", context)
