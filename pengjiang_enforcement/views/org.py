"""Units and people, read through the permission chokepoint; edits by district admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..choices import UnitKind
from ..exceptions import RuleViolation
from ..forms import CertificateForm, PeopleFilterForm, UnitForm, add_violation
from ..models import EnforcementCertificate, Unit, User
from ..pagination import paginate
from ..permissions import can, get_restricted_object_or_404
from ..selectors import certificate_status, people_with_certificates
from ..services import certificate_add, unit_update


@login_required
@permission_required("core.view_unit", raise_exception=True)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = (
        Unit.objects.restrict(request.user, "view")
        .select_related("parent", "township")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("sort_order", "pk")
    )
    kind = request.GET.get("kind", "")
    if kind:
        units = units.filter(kind=kind)
    page = paginate(request, units, per_page=50)
    return render(request, "core/unit_list.html", {"page": page, "kind": kind, "unit_kinds": UnitKind.choices})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_restricted_object_or_404(Unit.objects.select_related("parent", "township"), request.user, pk=pk)
    children = Unit.objects.restrict(request.user, "view").filter(parent=unit).order_by("sort_order", "pk")
    members = people_with_certificates(
        User.objects.restrict(request.user, "view").filter(unit=unit, is_active=True).order_by("full_name")
    )
    rows = [(person, certificate_status(person)) for person in members[:200]]
    return render(
        request,
        "core/unit_detail.html",
        {"unit": unit, "children": children, "member_rows": rows, "can_change": can(request.user, "change", unit)},
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_restricted_object_or_404(Unit, request.user, "change", pk=pk)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        try:
            unit_update(unit=unit, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("core:unit_detail", pk=unit.pk)
    return render(request, "core/unit_form.html", {"unit": unit, "form": form})


@login_required
@permission_required("core.view_user", raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None, user=request.user)
    people = User.objects.restrict(request.user, "view").filter(is_active=True)
    if form.is_valid():
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"].strip()
            people = people.filter(Q(full_name__icontains=q) | Q(username__icontains=q) | Q(certificates__number=q))
        if form.cleaned_data["unit"]:
            people = people.filter(unit=form.cleaned_data["unit"])
    people = people_with_certificates(people.distinct().order_by("unit__sort_order", "full_name", "pk"))
    page = paginate(request, people, per_page=50)
    page.object_list = [(person, certificate_status(person)) for person in page.object_list]
    return render(request, "core/user_list.html", {"page": page, "form": form})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_restricted_object_or_404(
        User.objects.select_related("unit", "unit__township").prefetch_related(
            Prefetch("certificates", queryset=EnforcementCertificate.objects.order_by("-valid_to")), "groups"
        ),
        request.user,
        pk=pk,
    )
    form = None
    can_add_certificate = can(request.user, "change", person) and request.user.has_perm(
        "core.add_enforcementcertificate"
    )
    if can_add_certificate:
        form = CertificateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                certificate_add(actor=request.user, user=person, **form.cleaned_data)
            except ValidationError as exc:  # a rule, or a duplicate number caught by full_clean
                form.add_error(None, exc)
            else:
                messages.success(request, _("The certificate was recorded."))
                return redirect("core:user_detail", pk=person.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "core/user_detail.html",
        {"person": person, "status": certificate_status(person), "form": form},
    )
