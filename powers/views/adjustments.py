"""The adjustment queue, an adjustment's page and its decisions, and the proposal forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.forms import add_violation
from pengjiang_enforcement.models import Unit
from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.permissions import can, get_restricted_object_or_404
from pengjiang_enforcement.workdays import today as local_today

from ..adjustments import (
    DECISIONS,
    FOUR_EYES,
    adjustment_approve,
    adjustment_department_id,
    adjustment_document_open,
    adjustment_opinion_give,
    adjustment_propose,
    adjustment_reject,
    adjustment_retry,
    adjustment_review,
    adjustment_withdraw,
    decisions_open,
)
from ..choices import AdjustmentKind, AdjustmentStatus
from ..display import describe_adjustment
from ..forms import AddItemForm, ChangeItemForm, DecisionForm, OpinionForm, TownshipsForm
from ..models import Adjustment, AdjustmentOpinion, Evaluation, PowerItem
from ..models.procedure import OPEN_ADJUSTMENT_STATUSES
from ..rules import (
    adjustment_four_eyes,
    adjustment_opinion_by_liaison,
    adjustment_opinion_open,
    catalogue_effective_date_far_ahead,
)
from ..selectors import awaiting_opinion
from ..services import holder_ids
from .common import require, warn_far_ahead

S = AdjustmentStatus
# Fields laid out two to a row in the proposal form.
HALF_WIDTH = frozenset(
    {"code", "sub_code", "kind", "department", "field", "fine_min", "fine_max", "hearing_threshold_person",
     "hearing_threshold_organisation", "delegation_mode", "effective_date", "is_major"}
)  # fmt: skip
STATUS_ORDER = [S.FAILED, S.PROPOSED, S.REVIEWED, S.APPROVED, S.APPLIED, S.REJECTED, S.WITHDRAWN]


@login_required
@permission_required("powers.view_adjustment", raise_exception=True)
def adjustment_list(request: HttpRequest) -> HttpResponse:
    """The queue: open adjustments first (those waiting for someone), then the record."""
    visible = Adjustment.objects.restrict(request.user, "view")
    status = request.GET.get("status", "open")
    rows = visible.select_related("item", "proposed_by", "catalogue_import").prefetch_related("townships")
    department = _opinion_department(request.user)
    if status == "opinion" and department is not None:
        rows = awaiting_opinion(rows, department)
    elif status == "open":
        rows = rows.filter(status__in=OPEN_ADJUSTMENT_STATUSES)
    elif status in S.values:
        rows = rows.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in AdjustmentKind.values:
        rows = rows.filter(kind=kind)
    source = request.GET.get("import", "")
    if source.isdigit():
        rows = rows.filter(catalogue_import_id=int(source))
    order = Case(*[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)], output_field=IntegerField())
    rows = rows.annotate(status_order=order).order_by("status_order", "effective_date", "-pk")
    page = paginate(request, rows, per_page=50)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return render(
        request,
        "powers/adjustment_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "counts": counts,
            "open_count": sum(counts.get(s, 0) for s in OPEN_ADJUSTMENT_STATUSES),
            "statuses": [(s, S(s).label, counts.get(s, 0)) for s in STATUS_ORDER],
            "kinds": AdjustmentKind.choices,
            "can_propose": request.user.has_perm("powers.add_adjustment"),
            "opinion_count": awaiting_opinion(visible, department).count() if department is not None else None,
        },
    )


def _opinion_department(user) -> int | None:
    """The department whose opinion the user gives (a department liaison's own unit), if any."""
    if not user.has_perm("powers.add_adjustmentopinion") or Role.DEPARTMENT_LIAISON not in user.role_codes:
        return None
    return user.unit_id


def _may_give_opinion(user, adjustment: Adjustment) -> bool:
    if not user.has_perm("powers.add_adjustmentopinion"):
        return False
    try:
        adjustment_opinion_by_liaison(user, adjustment_department_id(adjustment))
        adjustment_opinion_open(adjustment)
    except RuleViolation:
        return False
    return True


@login_required
def adjustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = get_restricted_object_or_404(
        Adjustment.objects.select_related(
            "item", "item__department", "proposed_by", "reviewed_by", "decided_by", "evaluation", "catalogue_import"
        ),
        request.user,
        pk=pk,
    )
    may_decide = can(request.user, "change", adjustment)
    actions = decisions_open(adjustment)
    try:
        adjustment_four_eyes(adjustment, request.user)
        own_proposal = False
    except RuleViolation:
        own_proposal = True
        actions = [name for name in actions if name not in FOUR_EYES]
    opinions = (
        AdjustmentOpinion.objects.restrict(request.user, "view")
        .filter(adjustment=adjustment)
        .select_related("department", "given_by")
    )
    far_ahead = ""
    if adjustment.status in OPEN_ADJUSTMENT_STATUSES:
        far_ahead = catalogue_effective_date_far_ahead(adjustment.effective_date, today=local_today())
    return render(
        request,
        "powers/adjustment_detail.html",
        {
            "adjustment": adjustment,
            "details": describe_adjustment(adjustment),
            "townships": list(adjustment.townships.order_by("sort_order")),
            "actions": actions if may_decide else [],
            "form": DecisionForm(initial={"effective_date": adjustment.effective_date}),
            "opinions": list(opinions),
            "opinion_form": OpinionForm() if _may_give_opinion(request.user, adjustment) else None,
            "far_ahead": far_ahead,
            "own_proposal": own_proposal and may_decide and adjustment.status in OPEN_ADJUSTMENT_STATUSES,
        },
    )


@login_required
def adjustment_document(request: HttpRequest, pk: int) -> FileResponse:
    """The approving document of an adjustment, as it was uploaded."""
    adjustment = get_restricted_object_or_404(Adjustment, request.user, pk=pk)
    try:
        stream = adjustment_document_open(adjustment=adjustment, actor=request.user)
    except FileNotFoundError as exc:  # none yet, or the storage lost it: say so, not a 500
        raise Http404 from exc
    return FileResponse(stream, as_attachment=True, filename=adjustment.approval_document_name or None)


@login_required
@require_POST
def adjustment_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """The delegating department's opinion on an adjustment, given by its liaison."""
    require(request, "powers.add_adjustmentopinion")
    adjustment = get_restricted_object_or_404(Adjustment, request.user, pk=pk)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the department's opinion."))
        return redirect("powers:adjustment_detail", pk=pk)
    try:
        adjustment_opinion_give(actor=request.user, adjustment=adjustment, opinion=form.cleaned_data["opinion"])
    except RuleViolation as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The department's opinion was recorded."))
    return redirect("powers:adjustment_detail", pk=pk)


@login_required
@require_POST
def adjustment_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Review, approve, reject, withdraw or retry (district admins)."""
    if action not in DECISIONS:
        raise Http404
    require(request, "powers.change_adjustment")
    adjustment = get_restricted_object_or_404(Adjustment, request.user, "change", pk=pk)
    form = DecisionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("powers:adjustment_detail", pk=pk)
    note, date = form.cleaned_data["note"], form.cleaned_data["effective_date"]
    actor = request.user
    try:
        if action == "review":
            adjustment_review(actor=actor, adjustment=adjustment, note=note)
        elif action == "approve":
            adjustment = adjustment_approve(
                actor=actor,
                adjustment=adjustment,
                note=note,
                effective_date=date,
                document_number=form.cleaned_data["document_number"],
                document=form.cleaned_data["document"],
            )
        elif action == "reject":
            adjustment_reject(actor=actor, adjustment=adjustment, note=note)
        elif action == "withdraw":
            adjustment_withdraw(actor=actor, adjustment=adjustment, note=note)
        else:
            adjustment = adjustment_retry(actor=actor, adjustment=adjustment, effective_date=date)
    except RuleViolation as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        adjustment.refresh_from_db()
        if action in {"approve", "retry"} and adjustment.status == S.APPROVED:
            warn_far_ahead(request, adjustment.effective_date)
        if adjustment.status == S.APPLIED:
            messages.success(request, _("The adjustment is approved and in effect."))
        elif adjustment.status == S.FAILED:
            messages.error(request, _("The adjustment could not be applied: %(why)s") % {"why": adjustment.failure})
        else:
            messages.success(
                request, _("The adjustment is now “%(status)s”.") % {"status": adjustment.get_status_display()}
            )
    return redirect("powers:adjustment_detail", pk=pk)


@login_required
def adjustment_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Propose an adjustment: add an item, change, recall or re-delegate one."""
    if kind not in AdjustmentKind.values:
        raise Http404
    require(request, "powers.add_adjustment")
    item = None
    if kind != AdjustmentKind.ADD:
        if not request.GET.get("item", "").isdigit():
            raise Http404
        item = get_restricted_object_or_404(PowerItem, request.user, "change", pk=int(request.GET["item"]))
    evaluation = None
    if request.GET.get("evaluation", "").isdigit():
        evaluation = get_restricted_object_or_404(Evaluation, request.user, pk=int(request.GET["evaluation"]))
    data = request.POST or None
    held = holder_ids(item) if item else set()
    if kind == AdjustmentKind.ADD:
        form = AddItemForm(data)
    elif kind == AdjustmentKind.CHANGE:
        form = ChangeItemForm(data, item=item, held=held)
    elif kind == AdjustmentKind.RECALL:
        initial = {"reason": evaluation.reasons} if evaluation else {}
        if evaluation and evaluation.township_id:
            initial["townships"] = [evaluation.township_id]
        form = TownshipsForm(
            data,
            initial=initial,
            choices=Unit.objects.townships().filter(pk__in=held),
            required=False,
            help_text=_("None chosen: every township that holds the item."),
        )
    else:
        form = TownshipsForm(data, choices=Unit.objects.townships().exclude(pk__in=held))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        common = {
            "actor": request.user,
            "kind": kind,
            "reason": values["reason"],
            "effective_date": values["effective_date"],
            "evaluation": evaluation,
        }
        try:
            if kind == AdjustmentKind.ADD:
                adjustment = adjustment_propose(data=form.item_data(), townships=values["townships"], **common)
            elif kind == AdjustmentKind.CHANGE:
                adjustment = adjustment_propose(
                    item=item,
                    data=form.item_data(),
                    add_townships=values["add_townships"],
                    remove_townships=values["remove_townships"],
                    **common,
                )
            else:
                chosen: list[Unit] = list(values["townships"])
                adjustment = adjustment_propose(item=item, townships=chosen or None, **common)
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("The adjustment was proposed. It changes nothing until it is approved."))
            warn_far_ahead(request, adjustment.effective_date)
            return redirect("powers:adjustment_detail", pk=adjustment.pk)
    return render(
        request,
        "powers/adjustment_form.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": AdjustmentKind(kind).label,
            "item": item,
            "evaluation": evaluation,
            "half": HALF_WIDTH,
        },
    )
