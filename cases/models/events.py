"""The timeline of a case or lead: every step, with who and when."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.models import TimelineEvent

from .base import CaseOrLeadChild


class CaseEvent(TimelineEvent, CaseOrLeadChild):
    """One step in the life of a lead or case (registered, filed, party added, ...).

    Written by the same service, in the same transaction, as the change it describes and its
    audit row (``cases.workflow.CASES.record``); its kind is the audit code without ``cases.``.
    """

    audit_prefix = "cases."

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    lead = models.ForeignKey("cases.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="events")

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="cases_event_has_owner", condition=Q(case__isnull=False) | Q(lead__isnull=False)
            ),
        ]
        indexes = [
            models.Index(fields=["case", "at"], name="cases_event_case_idx"),
            models.Index(fields=["lead", "at"], name="cases_event_lead_idx"),
        ]
