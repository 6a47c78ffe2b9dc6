"""Leads (案源): what the office learned of, and the preliminary check (核查) that follows."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.permissions import ALL_ROWS, ScopedModel, user_scope

from ..choices import LEAD_OPEN_STATUSES, LeadSource, LeadStatus


class Lead(ScopedModel):
    """A lead registered by a township office, checked within a deadline, then concluded.

    The check ends in one of four ways: a case is filed, the lead is not filed (with a reason),
    it is transferred to a department or another township (with a reason), or the party is only
    ordered to correct. A lead from the 12345 hotline carries the work-order number, so the
    hotline import of a later issue can link work orders and leads both ways.
    """

    township = models.ForeignKey(
        "core.Unit", verbose_name=_("township"), on_delete=models.PROTECT, related_name="leads"
    )
    reference = models.CharField(_("lead number"), max_length=60, unique=True)
    source = models.CharField(_("source"), max_length=30, choices=LeadSource.choices)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.REGISTERED)
    discovered_on = models.DateField(
        _("discovered or received on"), help_text=_("The check deadline counts from this day.")
    )
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("what was found or reported"))
    reporter_name = models.CharField(_("reporter"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    referring_body = models.CharField(
        _("referring or assigning body"), max_length=200, blank=True, help_text=_("For transfers and assignments.")
    )
    external_ref = models.CharField(
        _("reference of the referring body"), max_length=100, blank=True, help_text=_("e.g. the letter number")
    )
    hotline_order_no = models.CharField(
        _("12345 work-order number"),
        max_length=50,
        blank=True,
        help_text=_("Required for leads from the 12345 hotline; links the lead to the work order."),
    )
    transferred_from = models.ForeignKey(
        "self",
        verbose_name=_("transferred from lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checking officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads_to_check",
    )
    check_due = models.DateField(_("check due on"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concluded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    conclusion_reason = models.TextField(_("reason of the conclusion"), blank=True)
    transfer_target = models.ForeignKey(
        "core.Unit",
        verbose_name=_("transferred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads_transferred_in",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    township_lookup = "township"

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                name="cases_lead_hotline_needs_order_no",
                condition=~Q(source=LeadSource.HOTLINE_12345) | ~Q(hotline_order_no=""),
            ),
            models.UniqueConstraint(
                fields=["hotline_order_no"],
                condition=~Q(hotline_order_no=""),
                name="cases_lead_one_lead_per_work_order",
            ),
            models.CheckConstraint(
                name="cases_lead_conclusion_has_reason",
                condition=~Q(status__in=[LeadStatus.NOT_FILED, LeadStatus.TRANSFERRED]) | ~Q(conclusion_reason=""),
            ),
            models.CheckConstraint(
                name="cases_lead_transfer_has_target",
                condition=~Q(status=LeadStatus.TRANSFERRED) | Q(transfer_target__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["township", "status", "-id"], name="cases_lead_queue_idx"),
            # Ties on the day broken by id, as the queue and the home panel sort: many leads share
            # a check day, and without the id every one of them would be read to sort the first.
            models.Index(
                fields=["township", "check_due", "id"],
                condition=Q(status__in=LEAD_OPEN_STATUSES),
                name="cases_lead_open_due_idx",
            ),
            models.Index(fields=["checker", "status"], name="cases_lead_checker_idx"),
            GinIndex(fields=["search_vector"], name="cases_lead_search_gin"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in LEAD_OPEN_STATUSES

    @classmethod
    def scope_q(cls, user, action):
        """Officers of the township see and work its leads; district staff read them all."""
        scope = user_scope(user)
        if action == "view":
            if scope.everything:
                return ALL_ROWS
            if scope.township_id:
                return Q(township_id=scope.township_id)
            return None
        if scope.township_id:
            return Q(township_id=scope.township_id)
        return None
