"""The timeline of a case or lead: every step, with who and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import CaseOrLeadChild


class CaseEvent(CaseOrLeadChild):
    """One step in the life of a lead or case (registered, filed, party added, ...).

    Written by the same service, in the same transaction, as the change it describes and its
    audit row; the timeline is read from here, the audit trail proves it was not altered.
    """

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    lead = models.ForeignKey("cases.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    from_state = models.CharField(_("from state"), max_length=30, blank=True)
    to_state = models.CharField(_("to state"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

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

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
