"""Data the law leaves open, kept by district admins."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import DEFAULT_CHECK_WORKING_DAYS, DEFAULT_DUE_SOON_DAYS


class ProcedurePolicy(models.Model):
    """Periods local practice sets: the preliminary-check deadline, when a deadline is "soon".

    The row without a township is the district's; a township's own row overrides it.
    """

    township = models.OneToOneField(
        "core.Unit", verbose_name=_("township"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    check_working_days = models.PositiveSmallIntegerField(
        _("preliminary check, in working days"), default=DEFAULT_CHECK_WORKING_DAYS
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("flag a deadline as due soon this many days before"), default=DEFAULT_DUE_SOON_DAYS
    )

    class Meta:
        verbose_name = _("procedure policy")
        verbose_name_plural = _("procedure policies")
        constraints = [
            models.UniqueConstraint(fields=["township"], name="cases_policy_unique", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return str(self.township or _("District default"))
