"""Maintained figures: how many cases, leads and 12345 work orders each township has in each state.

Home pages and menu badges read these few rows instead of counting a million. PostgreSQL keeps
them exact: statement triggers on ``cases_case``, ``cases_lead`` and ``cases_hotlineorder``
(migration ``0113_home_figures``) add the difference of every ``INSERT``, ``UPDATE``, ``DELETE``,
``COPY`` and ``TRUNCATE`` in the same transaction, whoever writes (a service, the generator's
COPY, the 12345 import, the admin, raw SQL). The differences are appended, never updated in
place, so concurrent writers never queue behind a township's figure rows; a figure is the sum of
its rows, and :func:`compact` (a beat task every minute) folds them into one row each. Figures
that depend on the date (overdue, due soon) cannot be kept this way; the selectors count those
with a bounded, index-served query.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.permissions import ScopedModel, user_scope


class FigureKind(models.TextChoices):
    CASE = "case", _("cases")
    LEAD = "lead", _("leads")
    HOTLINE_ORDER = "hotlineorder", _("12345 work orders")


class Figure(ScopedModel):
    """A difference in the number of rows of one kind in one state in one township (no township:
    the 12345 orders still in triage); the figure is the sum over its rows. Written only by the
    database triggers and :func:`compact`; read through the chokepoint."""

    township = models.ForeignKey(
        "core.Unit",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FigureKind.choices)
    state = models.CharField(_("state"), max_length=30)
    count = models.BigIntegerField(_("count"), default=0)

    township_lookup = "township"

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["township", "kind", "state"]
        indexes = [models.Index(fields=["township", "kind", "state"], name="cases_figure_key_idx")]

    def __str__(self) -> str:
        return f"{self.township_id} {self.kind} {self.state}: {self.count}"

    @classmethod
    def scope_q(cls, user, action):
        """A township's figures are read by its staff; the figure of the orders in triage by who
        reads the triage queue (as ``HotlineOrder.scope_q``); district staff read them all."""
        scope = super().scope_q(user, action)
        if isinstance(scope, Q) and user_scope(user).township_id and user.has_perm("cases.triage_hotlineorder"):
            return scope | Q(township__isnull=True, kind=FigureKind.HOTLINE_ORDER)
        return scope


def compact() -> int:
    """Fold every figure's rows of differences into one row (exact whatever runs meanwhile: the
    rows deleted are those summed, in one statement). Returns how many figures remain."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_figure_compact()")
        return cursor.fetchone()[0]
