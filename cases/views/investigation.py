"""Parties, evidence and records of a case, and downloads of its files."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.permissions import get_restricted_object_or_404

from .. import rules, selectors, services
from ..forms import (
    AttachForm,
    CorrectionForm,
    EvidenceForm,
    InspectionForm,
    InterviewForm,
    PartyEditForm,
    PartyForm,
    PreservationDecideForm,
    PreservationForm,
    QAFormSet,
    ReasonForm,
    ReinspectForm,
    keep_token,
    kept_files,
)
from ..identity import normalise
from ..models import Attachment, CorrectionOrder, Evidence, InspectionRecord, InterviewRecord, Party, Preservation
from .common import attempt, get_case, to_case, warn

INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


# --- parties ----------------------------------------------------------------------------------


@login_required
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = PartyForm(request.POST or None, initial={"kind": "person"})
    if request.method == "POST" and form.is_valid():
        party = attempt(form, lambda: services.party_add(case=case, actor=request.user, **form.cleaned_data))
        if party is not None:
            messages.success(request, _("Party %(name)s added.") % {"name": party.name})
            warn(request, rules.gender_contradicts_id_warning(party.gender, party.id_number))
            return to_case(case, "parties")
    return render(request, "cases/party_form.html", {"case": case, "form": form})


@login_required
def party_edit(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    party = get_restricted_object_or_404(Party.objects.filter(case=case), request.user, pk=party_pk)
    initial = {f: getattr(party, f) for f in services.parties.PARTY_FIELDS} | {"version": party.version}
    form = PartyEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        done = attempt(
            form,
            lambda: services.party_update(party=party, actor=request.user, expected_version=version, **data),
        )
        if done is not None:
            messages.success(request, _("The party was saved."))
            warn(request, rules.gender_contradicts_id_warning(done.gender, done.id_number))
            return to_case(case, "parties")
    return render(request, "cases/party_form.html", {"case": case, "form": form, "party": party})


@login_required
def party_remove(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    party = get_restricted_object_or_404(Party.objects.filter(case=case), request.user, pk=party_pk)
    form = ReasonForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.party_remove(party=party, actor=request.user, reason=form.cleaned_data["reason"]) or True,
        )
        if done is not None:
            messages.success(request, _("The party was removed."))
            return to_case(case, "parties")
    return render(
        request,
        "cases/form_page.html",
        {"case": case, "form": form, "title": _("Remove the party %(name)s") % {"name": party.name}},
    )


@login_required
def party_history(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: earlier cases of the identity number being typed into the party form."""
    case = get_case(request, pk, "change")
    key = normalise(request.GET.get("id_number") or request.GET.get("credit_code") or "")
    history = selectors.party_history(request.user, [key], exclude_case=case.pk) if len(key) == 18 else {}
    return render(request, "cases/includes/party_history.html", {"earlier": history.get(key, []), "key": key})


# --- evidence ---------------------------------------------------------------------------------


@login_required
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an evidence item with files. Files that pass the checks are stored at once, so a
    refusal of the item (or of another file) never loses them: the form offers them again."""
    case = get_case(request, pk, "change")
    form = EvidenceForm(request.POST or None, request.FILES or None)
    kept: list = []
    if request.method == "POST":
        # Store what passes the checks first, whatever else is wrong with the form.
        kept = kept_files(request.POST.getlist("kept"))
        refused = []
        for upload in request.FILES.getlist("files"):
            try:
                kept.append((services.blob_store(upload=upload), os.path.basename(upload.name)))
            except RuleViolation as exc:
                refused.append(exc)
        valid = form.is_valid()
        for exc in refused:
            form.add_error("files", exc)
        if valid and not refused:
            data = form.cleaned_data
            evidence = attempt(
                form,
                lambda: services.evidence_add(
                    case=case,
                    actor=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    provider=data["provider"],
                    collected_on=data["collected_on"],
                    files=kept,
                ),
            )
            if evidence is not None:
                messages.success(request, _("Evidence %(seq)s added.") % {"seq": evidence.seq})
                warn(request, rules.evidence_before_act_warning(evidence.collected_on, case.act_date))
                return to_case(case, "evidence")
    return render(
        request,
        "cases/evidence_form.html",
        {
            "case": case,
            "form": form,
            "kept": [(blob, name, keep_token(blob, name)) for blob, name in kept],
            "max_size": services.evidence.upload_max_bytes(),
        },
    )


@login_required
def evidence_attach(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    evidence = get_restricted_object_or_404(Evidence.objects.filter(case=case), request.user, pk=evidence_pk)
    form = AttachForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]

        def store():
            blob = services.blob_store(upload=upload)
            return services.evidence_attach_file(evidence=evidence, actor=request.user, blob=blob, name=upload.name)

        if attempt(form, store) is not None:
            messages.success(request, _("The file was attached."))
            return to_case(case, "evidence")
    return render(
        request,
        "cases/form_page.html",
        {
            "case": case,
            "form": form,
            "title": _("Add a file to evidence %(seq)s") % {"seq": evidence.seq},
            "multipart": True,
        },
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a lead or case, through the chokepoint; every download is audited."""
    attachment = get_restricted_object_or_404(
        Attachment.objects.select_related("blob", "evidence", "lead"), request.user, pk=pk
    )
    blob = attachment.blob
    try:
        handle = services.attachment_open(attachment=attachment, actor=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=blob.content_type not in INLINE_TYPES,
        filename=attachment.original_name,
        content_type=blob.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


# --- records ----------------------------------------------------------------------------------


def _record_officers(case):
    officers = [person for person, _cert in selectors.township_officers(case.township_id, timezone.localdate())]
    handlers = [link.user for link in case.officer_links.select_related("user")]
    return officers, handlers


@login_required
def inspection_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = InspectionForm(request.POST or None, initial={"place": case.place})
    officers, handlers = _record_officers(case)
    form.set_officers(officers, handlers)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["officers"] = list(data["officers"])
        record = attempt(form, lambda: services.inspection_record_add(case=case, actor=request.user, **data))
        if record is not None:
            messages.success(request, _("The inspection record was saved."))
            return to_case(case, "records")
    return render(
        request, "cases/form_page.html", {"case": case, "form": form, "title": _("On-site inspection record")}
    )


@login_required
def interview_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = InterviewForm(request.POST or None, initial={"place": case.place})
    officers, handlers = _record_officers(case)
    form.set_officers(officers, handlers)
    qa = QAFormSet(request.POST or None, prefix="qa")
    if request.method == "POST" and form.is_valid() and qa.is_valid():
        data = dict(form.cleaned_data)
        data["officers"] = list(data["officers"])
        data["qa"] = [f.cleaned_data for f in qa.forms if f.cleaned_data]
        record = attempt(form, lambda: services.interview_record_add(case=case, actor=request.user, **data))
        if record is not None:
            messages.success(request, _("The interview record was saved."))
            warn(request, rules.gender_contradicts_id_warning(record.interviewee_gender, record.interviewee_id_number))
            return to_case(case, "records")
    return render(request, "cases/interview_form.html", {"case": case, "form": form, "qa": qa})


@login_required
def inspection_detail(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    case = get_case(request, pk)
    records = InspectionRecord.objects.filter(case=case).select_related("recorder").prefetch_related("officers")
    record = get_restricted_object_or_404(records, request.user, pk=record_pk)
    return render(request, "cases/inspection_detail.html", {"case": case, "record": record})


@login_required
def interview_detail(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    case = get_case(request, pk)
    records = InterviewRecord.objects.filter(case=case).select_related("recorder").prefetch_related("officers")
    record = get_restricted_object_or_404(records, request.user, pk=record_pk)
    return render(request, "cases/interview_detail.html", {"case": case, "record": record})


@login_required
def correction_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        order = attempt(
            form, lambda: services.correction_order_issue(case=case, actor=request.user, **form.cleaned_data)
        )
        if order is not None:
            messages.success(request, _("Order to correct %(number)s issued.") % {"number": order.number})
            warn(request, rules.correction_past_decision_warning(order.deadline, case.decision_due))
            return to_case(case, "records")
    return render(request, "cases/form_page.html", {"case": case, "form": form, "title": _("Order to correct")})


@login_required
def correction_reinspect(request: HttpRequest, pk: int, order_pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    order = get_restricted_object_or_404(CorrectionOrder.objects.filter(case=case), request.user, pk=order_pk)
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
            return to_case(case, "records")
    return render(
        request,
        "cases/form_page.html",
        {"case": case, "form": form, "title": _("Re-inspect %(number)s") % {"number": order.number}, "order": order},
    )


@login_required
def preservation_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    form = PreservationForm(request.POST or None, heads=selectors.township_heads(case.township_id))
    if request.method == "POST" and form.is_valid():
        preservation = attempt(
            form, lambda: services.preservation_register(case=case, actor=request.user, **form.cleaned_data)
        )
        if preservation is not None:
            messages.success(
                request,
                _("Evidence preserved under %(number)s; decide by %(day)s.")
                % {"number": preservation.number, "day": preservation.decision_due.isoformat()},
            )
            return to_case(case, "records")
    return render(request, "cases/form_page.html", {"case": case, "form": form, "title": _("Preservation of evidence")})


@login_required
def preservation_decide(request: HttpRequest, pk: int, preservation_pk: int) -> HttpResponse:
    case = get_case(request, pk, "change")
    preservation = get_restricted_object_or_404(
        Preservation.objects.filter(case=case), request.user, pk=preservation_pk
    )
    form = PreservationDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.preservation_decide(preservation=preservation, actor=request.user, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, _("The decision on the preserved evidence was recorded."))
            return to_case(case, "records")
    return render(
        request,
        "cases/form_page.html",
        {"case": case, "form": form, "title": _("Decide on %(number)s") % {"number": preservation.number}},
    )
