"""The simple procedure (简易程序, 当场处罚, APL Arts. 51-53, 67-71): the on-the-spot decision and
the payment of its fine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import Collection, OnSpotPenalty, PaymentMethod
from ..constants import NOTE_TEXT_CHARS
from .base import CaseChild, limited_text


class OnSpotDecision(CaseChild):
    """当场处罚决定书: the pre-numbered decision the officers fill in and hand over on the spot.

    One per case of the simple procedure. The facts, place and item are the case's; this row
    holds what Art. 52 adds: the party, the penalty and its basis, the certificates shown, the
    party's signature (or the refusal noted), how the fine is paid, the handing over and the
    filing for the record (备案).
    """

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="on_spot")
    number = models.CharField(_("decision number"), max_length=60, unique=True)
    party = models.ForeignKey("cases.Party", verbose_name=_("party"), on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    penalty = models.CharField(_("penalty"), max_length=10, choices=OnSpotPenalty.choices)
    amount = models.DecimalField(_("fine (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True)
    collection = models.CharField(_("payment"), max_length=10, choices=Collection.choices, blank=True)
    on_spot_reason = limited_text(_("why later collection would be difficult"), NOTE_TEXT_CHARS, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=30, blank=True)
    certificates_shown = models.BooleanField(_("enforcement certificates shown (APL Art. 52)"), default=False)
    party_signed = models.BooleanField(_("signed by the party"), default=False)
    refusal_note = models.CharField(_("note if the party refused to sign"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    served_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    filed_for_record_at = models.DateTimeField(_("filed for the record at"), null=True, blank=True)
    filed_for_record_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("on-the-spot decision")
        verbose_name_plural = _("on-the-spot decisions")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                name="cases_onspot_fine_has_amount",
                condition=(Q(penalty=OnSpotPenalty.FINE) & Q(amount__gt=0) & ~Q(collection=""))
                | (Q(penalty=OnSpotPenalty.WARNING) & Q(amount__isnull=True) & Q(collection="")),
            ),
            models.CheckConstraint(
                name="cases_onspot_signed_or_refusal_noted",
                condition=Q(party_signed=True) | ~Q(refusal_note=""),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_fine(self) -> bool:
        return self.penalty == OnSpotPenalty.FINE


class OnSpotPayment(CaseChild):
    """The payment of an on-the-spot fine: amount, date, method, the receipt (专用票据, APL Art. 70)
    or the bank's reference, and for cash the day it reached the office (APL Art. 71)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="on_spot_payment")
    amount = models.DecimalField(_("amount paid (yuan)"), max_digits=9, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=12, choices=PaymentMethod.choices)
    receipt_number = models.CharField(_("receipt or bank reference number"), max_length=60)
    handover_due = models.DateField(_("hand the cash to the office by"), null=True, blank=True)
    handed_over_on = models.DateField(_("cash handed to the office on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("on-the-spot payment")
        verbose_name_plural = _("on-the-spot payments")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(name="cases_onspot_payment_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="cases_onspot_payment_cash_handover",
                condition=Q(method=PaymentMethod.CASH)
                | (Q(handover_due__isnull=True) & Q(handed_over_on__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on}"

    @property
    def cash_pending(self) -> bool:
        return self.method == PaymentMethod.CASH and self.handed_over_on is None
