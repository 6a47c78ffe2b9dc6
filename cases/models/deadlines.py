"""Deadlines of leads and cases, and extensions of the decision deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import DeadlineKind, DeadlineStatus, ExtensionStatus
from ..constants import NOTE_TEXT_CHARS
from .base import CaseChild, CaseOrLeadChild, limited_text


class Deadline(CaseOrLeadChild):
    """A period that runs against a lead or a case: the check, the 90-day decision, the
    preservation decision, a correction deadline.

    The decision deadline moves with approved extensions; ``original_due_on`` keeps where it
    started. The earliest open deadline of a case is copied to ``Case.next_due_on`` for queues.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    township = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines")
    lead = models.ForeignKey("cases.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines")
    preservation = models.OneToOneField(
        "cases.Preservation", null=True, blank=True, on_delete=models.PROTECT, related_name="deadline"
    )
    correction = models.OneToOneField(
        "cases.CorrectionOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="deadline_row"
    )
    starts_on = models.DateField(_("runs from"))
    original_due_on = models.DateField(_("originally due on"))
    due_on = models.DateField(_("due on"))
    working_days = models.BooleanField(_("counted in working days"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="cases_deadline_one_owner",
                condition=(Q(case__isnull=False) & Q(lead__isnull=True))
                | (Q(case__isnull=True) & Q(lead__isnull=False)),
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(kind=DeadlineKind.DECISION),
                name="cases_deadline_one_decision_clock",
            ),
            models.UniqueConstraint(
                fields=["lead", "kind"],
                condition=Q(kind=DeadlineKind.LEAD_CHECK),
                name="cases_deadline_one_check_clock",
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status=DeadlineStatus.OPEN), name="cases_deadline_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.status == DeadlineStatus.OPEN


class ExtensionStep(models.Model):
    """One step of extending the 90-day decision deadline: how many days, who approves.

    The APL fixes 90 days "unless laws, regulations or rules provide otherwise"; sector rules
    commonly allow +30 days with the head's approval, then more only by collective discussion.
    These rows are that practice as data; a township may have its own steps (``township`` set),
    otherwise the district's (``township`` empty) apply.
    """

    township = models.ForeignKey(
        "core.Unit", verbose_name=_("township"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.PositiveSmallIntegerField(_("step"))
    days = models.PositiveSmallIntegerField(_("calendar days added"))
    needs_collective_discussion = models.BooleanField(
        _("needs a collective discussion"),
        default=False,
        help_text=_("The approver records the date and minutes of the collective discussion."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("extension step")
        verbose_name_plural = _("extension steps")
        ordering = ["township", "step"]
        constraints = [
            models.UniqueConstraint(fields=["township", "step"], name="cases_extstep_unique", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{self.step}: +{self.days}"


class ExtensionRequest(CaseChild):
    """A request to extend the decision deadline, decided by the office head."""

    # Set by the selector of the case page (not stored).
    may_decide: bool

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="extension_requests")
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="extension_requests")
    step = models.PositiveSmallIntegerField(_("step"))
    days = models.PositiveSmallIntegerField(_("days requested"))
    reason = limited_text(_("reason"), NOTE_TEXT_CHARS)
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    due_before = models.DateField(_("due on before"))
    due_after = models.DateField(_("due on if approved"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = limited_text(_("decision note"), NOTE_TEXT_CHARS, blank=True)
    discussion_date = models.DateField(_("date of the collective discussion"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="cases_extension_one_pending_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.days}"
