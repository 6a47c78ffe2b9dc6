"""The evaluation view (figures and candidates for a period) and evaluation records."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.pagination import paginate
from pengjiang_enforcement.permissions import get_restricted_object_or_404
from pengjiang_enforcement.search import search_query

from ..choices import AdjustmentKind, EvaluationDecision
from ..evaluation import Thresholds, evaluation_record, evaluation_rows, figures_for, flagged, usage_by_township
from ..forms import EvaluationFilterForm, EvaluationForm
from ..models import Evaluation, PowerItem
from .common import require


@login_required
@permission_required("powers.view_evaluation", raise_exception=True)
def evaluation_view(request: HttpRequest) -> HttpResponse:
    """Per item (and township), how it was used in the period; candidates flagged."""
    form = EvaluationFilterForm(request.GET or None)
    page = None
    thresholds = Thresholds.from_settings()
    if form.is_valid():
        data = form.cleaned_data
        thresholds = form.thresholds()
        items = PowerItem.objects.restrict(request.user, "view").select_related("department").defer("search_vector")
        if data["department"]:
            items = items.filter(department=data["department"])
        query = search_query(data["q"] or "")
        if query is not None:
            items = items.filter(search_vector=query)
        latest = Evaluation.objects.filter(item=OuterRef("pk")).order_by("-created_at")
        rows = evaluation_rows(
            start=data["start"], end=data["end"], township=data["township"], thresholds=thresholds, items=items
        ).annotate(last_decision=Subquery(latest.values("decision")[:1]), last_id=Subquery(latest.values("pk")[:1]))
        if data["flagged"]:
            rows = flagged(rows)
        # In code order, so a page computes the figures of its own rows only (ordering by the
        # flags would compute them for the whole catalogue first); "only candidates" filters.
        page = paginate(request, rows.order_by("code", "sub_code"), per_page=50)
        labels = dict(EvaluationDecision.choices)
        for row in page:
            row.last_decision_label = labels.get(row.last_decision, "")
    recent = list(
        Evaluation.objects.restrict(request.user, "view")
        .select_related("item", "township", "created_by")
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "powers/evaluation.html",
        {
            "form": form,
            "page": page,
            "thresholds": thresholds,
            "rate_percent": f"{thresholds.error_rate * 100:.0f}",
            "recent": recent,
            "can_record": request.user.has_perm("powers.add_evaluation"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def evaluation_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an evaluation of one item (keep / adjust / recall) with the figures behind it."""
    require(request, "powers.add_evaluation")
    item = get_restricted_object_or_404(PowerItem.objects.select_related("department"), request.user, pk=pk)
    filters = EvaluationFilterForm(request.GET or None)
    period = filters.cleaned_data if filters.is_valid() else {}
    today = timezone.localdate()
    initial = {
        "period_start": period.get("start"),
        "period_end": period.get("end") or today,
        "township": period.get("township"),
        "effective_date": today,
    }
    form = EvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = evaluation_record(
                actor=request.user,
                item=item,
                township=data["township"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                decision=data["decision"],
                reasons=data["reasons"],
                thresholds=filters.thresholds() if filters.is_valid() else None,
                start_adjustment=data["start_adjustment"],
                effective_date=data["effective_date"],
            )
        except RuleViolation as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The evaluation was recorded."))
            if data["decision"] == EvaluationDecision.ADJUST and data["start_adjustment"]:
                target = reverse("powers:adjustment_new", args=[AdjustmentKind.CHANGE])
                return redirect(f"{target}?item={item.pk}&evaluation={evaluation.pk}")
            return redirect("powers:evaluation_detail", pk=evaluation.pk)
    start = form["period_start"].value() or initial["period_start"]
    end = form["period_end"].value() or initial["period_end"]
    context = {"item": item, "form": form, "filters": filters}
    if period:
        context["figures"] = figures_for(
            item, period["start"], period["end"], period.get("township"), filters.thresholds()
        )
        context["breakdown"] = usage_by_township(item, period["start"], period["end"])
    context["start"], context["end"] = start, end
    return render(request, "powers/evaluation_form.html", context)


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_restricted_object_or_404(
        Evaluation.objects.select_related("item", "item__department", "township", "created_by"), request.user, pk=pk
    )
    adjustments = list(evaluation.adjustments.order_by("-pk"))
    return render(
        request,
        "powers/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "adjustments": adjustments,
            "breakdown": usage_by_township(evaluation.item, evaluation.period_start, evaluation.period_end),
            "can_propose": request.user.has_perm("powers.add_adjustment") and not adjustments,
        },
    )
