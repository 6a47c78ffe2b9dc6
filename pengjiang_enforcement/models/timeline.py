"""The timeline of a record: every step of its life, with who and when.

Cases and leads (``cases.CaseEvent``) and 12345 work orders (``cases.HotlineEvent``) keep one;
:meth:`pengjiang_enforcement.workflow.TransitionTable.record` writes it in the same transaction as
the change it describes and its audit row. The timeline is what people read; the audit trail
proves it was not altered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import actions


class TimelineEvent(models.Model):
    """One step (registered, filed, replied, ...); ``kind`` is its action code without the prefix."""

    # Put before ``kind`` to make the step's action code (``"cases."`` + ``"case.filed"``).
    audit_prefix = ""

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
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def code(self) -> str:
        """The step's action code, as the audit trail writes it."""
        return f"{self.audit_prefix}{self.kind}"

    @property
    def label(self) -> str:
        """What people read for this step (the same words as on the audit page)."""
        return actions.label(self.code)
