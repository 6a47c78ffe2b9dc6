"""Forms of the cases app. They shape and check input; the services apply the rules.

Fields are taken from the models (labels, choices and lengths live in one place), but the forms
are plain forms: nothing here saves a model.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django import forms
from django.core import signing
from django.db.models import Model
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.forms import DateInput
from pengjiang_enforcement.models import Unit, User
from powers.choices import PenaltyType, PowerKind
from powers.models import PowerItem

from .choices import (
    Collection,
    CorrectionStatus,
    EvidenceKind,
    LeadSource,
    OnSpotPenalty,
    PartyKind,
    PaymentMethod,
    PreservationDecision,
    ProposalOutcome,
)
from .constants import LONG_TEXT_CHARS
from .models import (
    Case,
    CorrectionOrder,
    Evidence,
    ExtensionRequest,
    InspectionRecord,
    InterviewRecord,
    InvestigationReport,
    Lead,
    OnSpotDecision,
    OnSpotPayment,
    Party,
    Preservation,
    Proposal,
    ProposalLine,
    StoredFile,
)


def model_field(model: type[Model], name: str, **overrides: Any) -> forms.Field:
    return model._meta.get_field(name).formfield(**overrides)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionedForm(forms.Form):
    """A form that carries the version of the record it showed (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=textarea(3), max_length=2000)


class NoteForm(VersionedForm):
    note = forms.CharField(label=_("Opinion"), widget=textarea(2), required=False, max_length=2000)


# --- leads ------------------------------------------------------------------------------------


class LeadForm(forms.Form):
    source = model_field(Lead, "source")
    discovered_on = model_field(Lead, "discovered_on", widget=DateInput())
    place = model_field(Lead, "place")
    description = model_field(Lead, "description", widget=textarea(4), max_length=LONG_TEXT_CHARS)
    reporter_name = model_field(Lead, "reporter_name")
    reporter_phone = model_field(Lead, "reporter_phone")
    referring_body = model_field(Lead, "referring_body")
    external_ref = model_field(Lead, "external_ref")
    hotline_order_no = model_field(Lead, "hotline_order_no")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = LeadSource.choices
        self.fields["discovered_on"].initial = timezone.localdate


class LeadEditForm(LeadForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LeadTransferForm(ReasonForm):
    target = forms.ModelChoiceField(label=_("Transfer to"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, lead: Lead, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP], is_active=True)
            .exclude(pk=lead.township_id)
            .order_by("kind", "sort_order")
        )


class CorrectionFields(forms.Form):
    content = model_field(CorrectionOrder, "content", widget=textarea(3))
    legal_basis = model_field(CorrectionOrder, "legal_basis")
    deadline = model_field(CorrectionOrder, "deadline", widget=DateInput())


class LeadCorrectionForm(CorrectionFields):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Why no case is filed"), widget=textarea(2), required=False, max_length=2000)


class CorrectionForm(CorrectionFields):
    pass


class ReinspectForm(forms.Form):
    reinspected_on = model_field(CorrectionOrder, "reinspected_on", widget=DateInput(), required=True)
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[c for c in CorrectionStatus.choices if c[0] != CorrectionStatus.OPEN],
        widget=forms.RadioSelect,
    )
    note = model_field(CorrectionOrder, "reinspection_note", widget=textarea(2))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["reinspected_on"].initial = timezone.localdate


class StartCheckForm(forms.Form):
    checker = forms.ModelChoiceField(label=_("Checking officer"), queryset=User.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["checker"].queryset = User.objects.filter(pk__in=[o.pk for o in officers]).order_by("full_name")


# --- filing -----------------------------------------------------------------------------------


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices read in one plain query. Django's iterator reads them through a server-side
    cursor (declared, fetched and closed: three round trips, the rows kept past the transaction)
    for the sake of very long lists; a township's officers are a handful."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class OfficerChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator

    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.username


class OfficersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.username


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PowerItem) -> str:
        return f"{obj.full_code} {obj.name}"


class ChosenOnlySelect(forms.Select):
    """A select over a large model queryset that renders only the chosen option (and the empty
    one): the item picker (``static/js/item_picker.js``) searches the rest on demand, while the
    field still validates a submitted key against its whole queryset."""

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list[Any]:
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            return super().optgroups(name, value, attrs)
        # A key too long for a bigint column is no key: it would be an error in the query.
        keys = [key for key in value if str(key).isdigit() and len(str(key)) <= 18]
        if keys:
            chosen = copy.copy(choices)
            chosen.queryset = choices.queryset.filter(pk__in=keys)
            self.choices = chosen
        else:
            # Nothing chosen: the empty option alone, without composing a query that has no rows.
            empty = choices.field.empty_label
            self.choices = [] if empty is None else [("", empty)]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices


class HandlingTeamFields(forms.Form):
    """The lead officer and the assisting officers, chosen among the township's ``officers``."""

    lead_officer = OfficerChoiceField(label=_("Lead officer (主办)"), queryset=User.objects.none())
    co_officers = OfficersField(
        label=_("Assisting officers (协办)"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("At least two officers in all, each with a certificate valid today (APL Art. 42)."),
    )

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(pk__in=[o.pk for o in officers]).order_by("full_name")
        self.fields["lead_officer"].queryset = people
        self.fields["co_officers"].queryset = people


class FilingForm(HandlingTeamFields):
    """The filing request (立案审批表): the act, the item, the officers."""

    act_date = model_field(Case, "act_date", widget=DateInput())
    act_continuing = model_field(Case, "act_continuing")
    act_end_date = model_field(Case, "act_end_date", widget=DateInput())
    serious_harm = model_field(Case, "serious_harm")
    power_item = ItemChoiceField(label=_("power item"), queryset=PowerItem.objects.none())
    title = model_field(Case, "title")
    facts = model_field(Case, "facts", widget=textarea(4))
    place = model_field(Case, "place")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, township: Unit, officers: list[User], **kwargs: Any):
        super().__init__(*args, officers=officers, **kwargs)
        # Any penalty item the township ever held validates here; whether it was delegated on
        # the date of the act (and still is) is the service's rule, with its own message.
        self.fields["power_item"].queryset = PowerItem.objects.filter(
            kind=PowerKind.PENALTY, delegations__township=township
        ).distinct()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("act_continuing") and not data.get("act_end_date"):
            self.add_error("act_end_date", _("Give the day the continuing act ended (or today if it goes on)."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "power_item": data["power_item"],
            "title": data["title"],
            "facts": data["facts"],
            "place": data["place"],
            "act_date": data["act_date"],
            "act_end_date": data.get("act_end_date"),
            "act_continuing": data["act_continuing"],
            "serious_harm": data["serious_harm"],
            "lead_officer": data["lead_officer"],
            "co_officers": list(data["co_officers"]),
        }


class OfficersChangeForm(HandlingTeamFields, VersionedForm):
    """The office head's change of the handling officers of a filed case."""

    reason = forms.CharField(label=_("Reason"), widget=textarea(3), max_length=2000)


class CaseEditForm(VersionedForm):
    """Edits of a case under investigation: the cause, the facts, the place."""

    title = model_field(Case, "title")
    facts = model_field(Case, "facts", widget=textarea(5))
    place = model_field(Case, "place")


# --- parties ----------------------------------------------------------------------------------


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=PartyKind.choices, widget=forms.RadioSelect)
    name = model_field(Party, "name")
    gender = model_field(Party, "gender")
    id_number = model_field(Party, "id_number")
    credit_code = model_field(Party, "credit_code")
    legal_representative = model_field(Party, "legal_representative")
    phone = model_field(Party, "phone")
    address = model_field(Party, "address")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off"})


class PartyEditForm(PartyForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- evidence ---------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


UPLOAD_SALT = "cases.upload"


def keep_token(blob: StoredFile, name: str) -> str:
    """A signed reference to a file already stored, so a refused form need not be uploaded again."""
    return signing.dumps({"b": blob.pk, "n": name}, salt=UPLOAD_SALT)


def kept_files(tokens: list[str]) -> list[tuple[StoredFile, str]]:
    """The stored files behind signed tokens (a day old at most); forged tokens are ignored."""
    refs = []
    for token in tokens:
        try:
            data = signing.loads(token, salt=UPLOAD_SALT, max_age=86400)
        except signing.BadSignature:
            continue
        refs.append((data["b"], data["n"]))
    blobs = StoredFile.objects.in_bulk([pk for pk, _name in refs])
    return [(blobs[pk], name) for pk, name in refs if pk in blobs]


class EvidenceForm(forms.Form):
    kind = model_field(Evidence, "kind")
    title = model_field(Evidence, "title")
    description = model_field(Evidence, "description", widget=textarea(2))
    provider = model_field(Evidence, "provider")
    collected_on = model_field(Evidence, "collected_on", widget=DateInput())
    files = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["collected_on"].initial = timezone.localdate
        self.fields["kind"].choices = EvidenceKind.choices


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File"))


# --- records ----------------------------------------------------------------------------------


def _now_minute() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class RecordOfficersMixin(forms.Form):
    officers = OfficersField(
        label=_("Officers present"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    recorder = OfficerChoiceField(label=_("recorded by"), queryset=User.objects.none())

    def set_officers(self, officers: list[User], default: list[User]) -> None:
        people = User.objects.filter(pk__in=[o.pk for o in officers]).order_by("full_name")
        self.fields["officers"].queryset = people
        self.fields["recorder"].queryset = people
        self.fields["officers"].initial = [o.pk for o in default]


class InspectionForm(RecordOfficersMixin):
    started_at = model_field(InspectionRecord, "started_at", widget=DateTimeInput())
    ended_at = model_field(InspectionRecord, "ended_at", widget=DateTimeInput())
    place = model_field(InspectionRecord, "place")
    present_persons = model_field(InspectionRecord, "present_persons")
    witness = model_field(InspectionRecord, "witness")
    certificates_shown = model_field(InspectionRecord, "certificates_shown")
    findings = model_field(InspectionRecord, "findings", widget=textarea(5))
    media_refs = model_field(InspectionRecord, "media_refs")
    party_signed = model_field(InspectionRecord, "party_signed")
    refusal_note = model_field(InspectionRecord, "refusal_note")
    field_order = [
        "started_at",
        "ended_at",
        "place",
        "present_persons",
        "officers",
        "recorder",
        "witness",
        "certificates_shown",
        "findings",
        "media_refs",
        "party_signed",
        "refusal_note",
    ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["ended_at"].initial = _now_minute
        self.fields["started_at"].initial = lambda: _now_minute() - datetime.timedelta(minutes=30)


class InterviewForm(RecordOfficersMixin):
    started_at = model_field(InterviewRecord, "started_at", widget=DateTimeInput())
    ended_at = model_field(InterviewRecord, "ended_at", widget=DateTimeInput())
    place = model_field(InterviewRecord, "place")
    interviewee_role = model_field(InterviewRecord, "interviewee_role")
    interviewee_name = model_field(InterviewRecord, "interviewee_name")
    interviewee_gender = model_field(InterviewRecord, "interviewee_gender")
    interviewee_id_number = model_field(InterviewRecord, "interviewee_id_number")
    interviewee_phone = model_field(InterviewRecord, "interviewee_phone")
    interviewee_address = model_field(InterviewRecord, "interviewee_address")
    interviewee_employer = model_field(InterviewRecord, "interviewee_employer")
    certificates_shown = model_field(InterviewRecord, "certificates_shown")
    rights_told = model_field(InterviewRecord, "rights_told")
    confirmed = model_field(InterviewRecord, "confirmed")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["ended_at"].initial = _now_minute
        self.fields["started_at"].initial = lambda: _now_minute() - datetime.timedelta(minutes=30)


class QAForm(forms.Form):
    q = forms.CharField(label=_("Question"), widget=textarea(2), required=False, max_length=2000)
    a = forms.CharField(label=_("Answer"), widget=textarea(2), required=False, max_length=4000)


QAFormSet = forms.formset_factory(QAForm, extra=3, max_num=60)


class PreservationForm(forms.Form):
    registered_on = model_field(Preservation, "registered_on", widget=DateInput())
    items = model_field(Preservation, "items", widget=textarea(3))
    place_kept = model_field(Preservation, "place_kept")
    reason = model_field(Preservation, "reason", widget=textarea(2))
    approved_by = OfficerChoiceField(label=_("approved by (office head)"), queryset=User.objects.none())

    def __init__(self, *args: Any, heads, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = heads
        self.fields["registered_on"].initial = timezone.localdate


class PreservationDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=PreservationDecision.choices)
    decided_on = model_field(Preservation, "decided_on", widget=DateInput(), required=True)
    note = model_field(Preservation, "decision_note", widget=textarea(2))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate


class ReportForm(VersionedForm):
    """The investigation-end report (调查终结报告) and its proposal: the outcome with its ground,
    the discretion band chosen among the standards that apply (``bands``: (band, label) pairs, see
    ``selectors.proposal_options``) and the reasons. The penalties are :data:`PenaltyLineFormSet`."""

    facts_found = model_field(InvestigationReport, "facts_found", widget=textarea(4))
    evidence_summary = model_field(InvestigationReport, "evidence_summary", widget=textarea(3))
    violated_provision = model_field(InvestigationReport, "violated_provision")
    penalty_provision = model_field(InvestigationReport, "penalty_provision")
    circumstances = model_field(InvestigationReport, "circumstances", widget=textarea(2))
    outcome = model_field(Proposal, "outcome", widget=forms.RadioSelect, choices=ProposalOutcome.choices)
    no_penalty_ground = model_field(Proposal, "no_penalty_ground")
    transfer_kind = model_field(Proposal, "transfer_kind")
    transfer_to = model_field(Proposal, "transfer_to")
    band = forms.TypedChoiceField(
        label=_("discretion band"), required=False, coerce=int, empty_value=None, widget=forms.RadioSelect
    )
    reasons = model_field(Proposal, "reasons", widget=textarea(3))

    def __init__(self, *args: Any, bands: list[tuple[Any, str]] = (), **kwargs: Any):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.bands = {band.pk: band for band, _label in bands}
        self.fields["band"].choices = [("", _("None (no discretion standard applies)"))] + [
            (band.pk, label) for band, label in bands
        ]
        if not bands:
            self.fields["band"].widget = forms.HiddenInput()

    def clean_band(self):
        pk = self.cleaned_data.get("band")
        return self.bands.get(pk) if pk is not None else None


class PenaltyLineForm(forms.Form):
    """One penalty of the proposal (APL Art. 9); the services check the amount and the kind."""

    kind = forms.ChoiceField(label=_("penalty"), required=False, choices=[("", "—"), *PenaltyType.choices])
    amount = forms.DecimalField(label=_("amount (yuan)"), required=False, max_digits=14, decimal_places=2)
    detail = model_field(ProposalLine, "detail")

    def clean(self):
        data = super().clean()
        if not data.get("kind") and (data.get("amount") is not None or (data.get("detail") or "").strip()):
            self.add_error("kind", _("Choose the penalty this line is about."))
        return data


PenaltyLineFormSet = forms.formset_factory(PenaltyLineForm, extra=3, max_num=13)


# --- deadlines --------------------------------------------------------------------------------


class ExtensionRequestForm(forms.Form):
    reason = model_field(ExtensionRequest, "reason", widget=textarea(3))


class ExtensionDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Opinion"), widget=textarea(2), required=False, max_length=2000)
    discussion_date = model_field(ExtensionRequest, "discussion_date", widget=DateInput())


# --- the simple procedure (当场处罚) -------------------------------------------------------------


class OnSpotForm(forms.Form):
    """The on-the-spot decision, on one phone-sized page: the act, the party, the penalty, the
    second officer, the certificates shown and the signature (APL Arts. 51-52)."""

    power_item = ItemChoiceField(label=_("power item"), queryset=PowerItem.objects.none())
    title = model_field(Case, "title")
    place = model_field(Case, "place")
    act_date = model_field(Case, "act_date", widget=DateInput())
    facts = model_field(Case, "facts", widget=textarea(3))
    legal_basis = model_field(OnSpotDecision, "legal_basis")
    kind = forms.ChoiceField(label=_("the party is"), choices=PartyKind.choices, widget=forms.RadioSelect)
    name = model_field(Party, "name")
    id_number = model_field(Party, "id_number")
    credit_code = model_field(Party, "credit_code")
    legal_representative = model_field(Party, "legal_representative")
    phone = model_field(Party, "phone")
    address = model_field(Party, "address")
    penalty = forms.ChoiceField(label=_("penalty"), choices=OnSpotPenalty.choices, widget=forms.RadioSelect)
    amount = forms.DecimalField(label=_("fine (yuan)"), max_digits=9, decimal_places=2, required=False)
    collection = forms.ChoiceField(
        label=_("payment"), choices=Collection.choices, widget=forms.RadioSelect, required=False
    )
    on_spot_reason = model_field(OnSpotDecision, "on_spot_reason", widget=textarea(2))
    co_officer = OfficerChoiceField(label=_("the second officer present"), queryset=User.objects.none())
    certificates_shown = forms.BooleanField(
        label=_("We showed our enforcement certificates (APL Art. 52)"), required=False
    )
    party_signed = forms.BooleanField(label=_("The party signed the decision"), required=False)
    refusal_note = model_field(OnSpotDecision, "refusal_note")
    lead_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, township: Unit, officers: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["power_item"].queryset = PowerItem.objects.filter(
            kind=PowerKind.PENALTY, delegations__township=township
        ).distinct()
        self.fields["co_officer"].queryset = User.objects.filter(pk__in=[o.pk for o in officers]).order_by("full_name")
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "min": "0"})
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("penalty") == OnSpotPenalty.FINE:
            if data.get("amount") is None:
                self.add_error("amount", _("Give the amount of the fine."))
            if not data.get("collection"):
                self.add_error("collection", _("Say how the fine is paid."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        party_fields = ("kind", "name", "id_number", "credit_code", "legal_representative", "phone", "address")
        return {
            "power_item": data["power_item"],
            "title": data["title"],
            "place": data["place"],
            "act_date": data["act_date"],
            "facts": data["facts"],
            "legal_basis": data["legal_basis"],
            "penalty": data["penalty"],
            "amount": data.get("amount"),
            "collection": data.get("collection") or "",
            "on_spot_reason": data.get("on_spot_reason") or "",
            "co_officers": [data["co_officer"]],
            "party": {f: data.get(f) or "" for f in party_fields},
            "certificates_shown": data["certificates_shown"],
            "party_signed": data["party_signed"],
            "refusal_note": data.get("refusal_note") or "",
        }


class OnSpotPaymentForm(VersionedForm):
    """The payment of the on-the-spot fine (APL Arts. 67-70)."""

    amount = model_field(OnSpotPayment, "amount")
    paid_on = model_field(OnSpotPayment, "paid_on", widget=DateInput())
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices, widget=forms.RadioSelect)
    receipt_number = model_field(OnSpotPayment, "receipt_number")


class CashHandoverForm(forms.Form):
    """The day the cash collected on the spot reached the office (APL Art. 71)."""

    handed_over_on = forms.DateField(label=_("cash handed to the office on"), widget=DateInput())
