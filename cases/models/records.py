"""Investigation records and measures: inspection and interview records (笔录), orders to
correct (责令改正), preservation of evidence (先行登记保存), the investigation-end report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import CorrectionStatus, Gender, IntervieweeRole, PreservationDecision
from ..constants import LONG_TEXT_CHARS, NOTE_TEXT_CHARS
from .base import CaseChild, CaseOrLeadChild, limited_text


class InspectionRecord(CaseChild):
    """现场检查(勘验)笔录: who inspected where and when, what they found, who signed."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="inspections")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    place = models.CharField(_("place"), max_length=200)
    present_persons = models.CharField(
        _("party or persons present"), max_length=300, help_text=_("Name and relation to the case.")
    )
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspecting officers"), related_name="+")
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    witness = models.CharField(_("witness"), max_length=100, blank=True)
    certificates_shown = models.BooleanField(_("enforcement certificates shown (APL Art. 55)"), default=False)
    findings = limited_text(_("what was found on site"), LONG_TEXT_CHARS)
    media_refs = models.CharField(
        _("photos and videos"), max_length=300, blank=True, help_text=_("Numbers of the photos or recordings taken.")
    )
    party_signed = models.BooleanField(_("signed by the party"), default=False)
    refusal_note = models.CharField(_("note if the party refused to sign"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("on-site inspection record")
        verbose_name_plural = _("on-site inspection records")
        ordering = ["case", "started_at"]
        constraints = [
            models.CheckConstraint(name="cases_inspection_times", condition=Q(ended_at__gt=F("started_at"))),
            models.CheckConstraint(
                name="cases_inspection_signed_or_refusal_noted",
                condition=Q(party_signed=True) | ~Q(refusal_note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.started_at:%Y-%m-%d %H:%M}"


class InterviewRecord(CaseChild):
    """询问笔录: the person interviewed, the officers, the rights told, questions and answers."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="interviews")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    place = models.CharField(_("place"), max_length=200)
    interviewee_role = models.CharField(_("interviewee is"), max_length=10, choices=IntervieweeRole.choices)
    interviewee_name = models.CharField(_("name"), max_length=100)
    interviewee_gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    interviewee_id_number = models.CharField(_("resident identity card number"), max_length=18, blank=True)
    interviewee_phone = models.CharField(_("phone"), max_length=30, blank=True)
    interviewee_address = models.CharField(_("address"), max_length=200, blank=True)
    interviewee_employer = models.CharField(_("employer and post"), max_length=200, blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("interviewing officers"), related_name="+"
    )
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    certificates_shown = models.BooleanField(_("enforcement certificates shown (APL Art. 55)"), default=False)
    rights_told = models.BooleanField(_("told of the rights to state, defend and ask for recusal"), default=False)
    qa = models.JSONField(_("questions and answers"), default=list)
    confirmed = models.BooleanField(_("interviewee confirmed the record (以上笔录记录属实)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interview record")
        verbose_name_plural = _("interview records")
        ordering = ["case", "started_at"]
        constraints = [
            models.CheckConstraint(name="cases_interview_times", condition=Q(ended_at__gt=F("started_at"))),
        ]

    def __str__(self) -> str:
        return f"{self.interviewee_name} {self.started_at:%Y-%m-%d %H:%M}"


class CorrectionOrder(CaseOrLeadChild):
    """责令(限期)改正: what to correct by when, and what the re-inspection found (APL Art. 28).

    Issued within a case, or on a lead that ends with a correction order only.
    """

    # Set by the selector of the page that shows the order (not stored).
    may_reinspect: bool

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    lead = models.ForeignKey("cases.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    township = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("document number"), max_length=60, unique=True)
    content = limited_text(_("what must be corrected"), NOTE_TEXT_CHARS)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("correct by"))
    status = models.CharField(
        _("status"), max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    reinspected_on = models.DateField(_("re-inspected on"), null=True, blank=True)
    reinspection_note = limited_text(_("re-inspection result"), NOTE_TEXT_CHARS, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reinspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order to correct")
        verbose_name_plural = _("orders to correct")
        ordering = ["issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="cases_correction_one_owner",
                condition=(Q(case__isnull=False) & Q(lead__isnull=True))
                | (Q(case__isnull=True) & Q(lead__isnull=False)),
            ),
            models.CheckConstraint(
                name="cases_correction_deadline_after_issue", condition=Q(deadline__gt=F("issued_on"))
            ),
            models.CheckConstraint(
                name="cases_correction_result_reinspected",
                condition=Q(status=CorrectionStatus.OPEN) | Q(reinspected_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Preservation(CaseChild):
    """先行登记保存: evidence registered and kept with the head's approval (APL Art. 56).

    A decision on it is due within 7 working days of registration.
    """

    # Set by the selector of the case page (not stored).
    may_decide: bool

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="preservations")
    number = models.CharField(_("document number"), max_length=60, unique=True)
    items = limited_text(
        _("items preserved"), NOTE_TEXT_CHARS, help_text=_("One line per item: name, quantity, condition.")
    )
    place_kept = models.CharField(_("kept at"), max_length=200)
    reason = limited_text(_("why the evidence may be lost or hard to obtain later"), NOTE_TEXT_CHARS)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by (office head)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_on = models.DateField(_("registered on"))
    decision_due = models.DateField(_("decision due on"))
    decision = models.CharField(_("decision"), max_length=20, choices=PreservationDecision.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = limited_text(_("decision note"), NOTE_TEXT_CHARS, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("preservation of evidence")
        verbose_name_plural = _("preservations of evidence")
        ordering = ["registered_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="cases_preservation_decided_together",
                condition=(Q(decision="") & Q(decided_on__isnull=True))
                | (~Q(decision="") & Q(decided_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def decided_late(self) -> bool:
        return bool(self.decided_on and self.decided_on > self.decision_due)


class InvestigationReport(CaseChild):
    """调查终结报告 (APL Art. 57): the facts found, the evidence, and the proposed handling
    (its :class:`~cases.models.proposals.Proposal`, ``report.proposal``).

    Submitting one closes the investigation; a reopened investigation ends with a new report,
    the earlier ones stay on record.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reports")
    facts_found = limited_text(_("facts found"), LONG_TEXT_CHARS)
    evidence_summary = limited_text(_("evidence relied on"), LONG_TEXT_CHARS)
    violated_provision = models.CharField(_("provision violated"), max_length=300)
    penalty_provision = models.CharField(_("penalty provision"), max_length=300, blank=True)
    circumstances = limited_text(_("circumstances (aggravating, mitigating)"), NOTE_TEXT_CHARS, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("investigation-end report")
        verbose_name_plural = _("investigation-end reports")
        ordering = ["case", "-submitted_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.submitted_at:%Y-%m-%d}"
