"""The proposed handling of a case as the law can check it: an outcome, the penalties with their
amounts, and the discretion band chosen, pinned by version (APL Arts. 9, 30–34, 57).

The investigation-end report makes the first proposal. Later steps read it: the hearing right
(:meth:`Proposal.hearing_grounds`), the legal-review thresholds (:meth:`Proposal.kinds`,
:meth:`Proposal.fine_total`) and the rule that a decision is never heavier than the notified
proposal (:meth:`Proposal.is_heavier_than`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from powers.choices import DiscretionLevel, PenaltyType

from ..choices import NoPenaltyGround, ProposalOutcome, TransferKind
from ..constants import NOTE_TEXT_CHARS
from .base import CaseChild, limited_text

# The kinds of APL Art. 9 that carry an amount of money (the fine; the illegal gains; the value
# of the illegal property); every other kind carries none.
AMOUNT_KINDS = frozenset({PenaltyType.FINE, PenaltyType.CONFISCATE_GAINS, PenaltyType.CONFISCATE_PROPERTY})

# APL Art. 63(1)(3)(4): the kinds that give the party a right to a hearing whatever their size;
# the amount kinds give it from the item's threshold (较大数额, domain.md §1.7).
HEARING_KINDS = frozenset(
    {
        PenaltyType.DOWNGRADE,
        PenaltyType.REVOKE_LICENCE,
        PenaltyType.SUSPEND_BUSINESS,
        PenaltyType.CLOSE,
        PenaltyType.RESTRICT_PRACTICE,
    }
)


class Proposal(CaseChild):
    """The proposed handling of a case (处理建议): the outcome with its ground, the penalty lines,
    the discretion standard and band chosen (pinned: the versioned rows and a copy of the band as
    it was), and the officer's reasons.

    ``migrated`` marks a proposal carried over from the free-text proposal of an older report:
    its reasons hold that text and a penalty has no lines (:attr:`is_complete` is false).
    """

    # Set by the selector of the case page (the lines read with the report, not stored).
    line_list: list[ProposalLine]

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="proposals")
    report = models.OneToOneField(
        "cases.InvestigationReport",
        verbose_name=_("investigation-end report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )
    outcome = models.CharField(_("proposed handling"), max_length=20, choices=ProposalOutcome.choices)
    no_penalty_ground = models.CharField(
        _("ground for no penalty"), max_length=20, choices=NoPenaltyGround.choices, blank=True
    )
    transfer_kind = models.CharField(_("transfer"), max_length=20, choices=TransferKind.choices, blank=True)
    transfer_to = models.CharField(_("transferred to"), max_length=200, blank=True)
    standard = models.ForeignKey(
        "powers.DiscretionStandard",
        verbose_name=_("discretion standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    band = models.ForeignKey(
        "powers.DiscretionBand",
        verbose_name=_("discretion band"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The band as it was when chosen (a copy: the pinned row is the source, this is what was read).
    band_level = models.CharField(_("discretion level"), max_length=10, choices=DiscretionLevel.choices, blank=True)
    band_fine_min = models.DecimalField(
        _("band's minimum fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    band_fine_max = models.DecimalField(
        _("band's maximum fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    band_conditions = models.TextField(_("band's conditions"), blank=True)
    reasons = limited_text(_("reasons for the proposal and the discretion"), NOTE_TEXT_CHARS)
    migrated = models.BooleanField(_("carried over from a free-text proposal"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposed handling")
        verbose_name_plural = _("proposed handlings")
        ordering = ["case", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="cases_proposal_ground_iff_no_penalty",
                condition=(Q(outcome=ProposalOutcome.NO_PENALTY) & ~Q(no_penalty_ground=""))
                | (~Q(outcome=ProposalOutcome.NO_PENALTY) & Q(no_penalty_ground="")),
            ),
            models.CheckConstraint(
                name="cases_proposal_transfer_iff_transfer",
                condition=(Q(outcome=ProposalOutcome.TRANSFER) & ~Q(transfer_kind=""))
                | (~Q(outcome=ProposalOutcome.TRANSFER) & Q(transfer_kind="") & Q(transfer_to="")),
            ),
            models.CheckConstraint(
                name="cases_proposal_band_pinned_whole",
                condition=(
                    Q(band__isnull=True)
                    & Q(band_level="")
                    & Q(band_fine_min__isnull=True)
                    & Q(band_fine_max__isnull=True)
                )
                | (Q(band__isnull=False) & Q(standard__isnull=False) & ~Q(band_level="")),
            ),
            models.CheckConstraint(
                name="cases_proposal_band_only_for_penalty",
                condition=Q(outcome=ProposalOutcome.PENALTY) | Q(band__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_outcome_display()}"

    # --- what later steps read -------------------------------------------------------------
    @property
    def lines_in_order(self) -> list[ProposalLine]:
        cached = getattr(self, "line_list", None)
        if cached is not None:
            return cached
        return list(self.lines.order_by("sort_order", "id"))

    @property
    def is_penalty(self) -> bool:
        return self.outcome == ProposalOutcome.PENALTY

    @property
    def is_complete(self) -> bool:
        """A penalty names its penalties (a migrated free-text proposal may not)."""
        return not self.is_penalty or bool(self.lines_in_order)

    def kinds(self) -> frozenset[str]:
        """The penalty kinds proposed (APL Art. 9)."""
        return frozenset(line.kind for line in self.lines_in_order)

    def amount(self, kind: str) -> Decimal | None:
        return next((line.amount for line in self.lines_in_order if line.kind == kind), None)

    def fine_total(self) -> Decimal:
        """The fine proposed (one fine at most, APL Art. 29), 0 when there is none."""
        return self.amount(PenaltyType.FINE) or Decimal("0")

    def hearing_grounds(self, *, threshold: Decimal) -> list[str]:
        """The kinds that give the party a right to a hearing (APL Art. 63): a fine, illegal gains
        or illegal property of ``threshold`` or more (the item's 较大数额 for this party, see
        ``PowerItem.hearing_threshold``), and every kind of :data:`HEARING_KINDS`."""
        return [
            line.kind
            for line in self.lines_in_order
            if line.kind in HEARING_KINDS or (line.amount is not None and line.amount >= threshold)
        ]

    def is_heavier_than(self, other: Proposal) -> bool:
        """Whether this proposal is heavier than ``other`` (APL Art. 45: the decision is never heavier
        than the notified proposal because the party stated or defended).

        Heavier means: a penalty kind that ``other`` does not have (any penalty against no
        penalty, a transfer or a violation not established is a kind added), or an amount raised
        for a kind both have. An "other" penalty (其他) whose text changed counts as added: the
        portal cannot tell whether it is lighter. Fewer kinds or lower amounts are not heavier; a
        change of the written detail of a kind (which licence, how long) is not compared.
        """
        theirs = {line.kind: line for line in other.lines_in_order}
        for line in self.lines_in_order:
            before = theirs.get(line.kind)
            if before is None:
                return True
            if line.kind == PenaltyType.OTHER and line.detail.strip() != before.detail.strip():
                return True
            if line.amount is not None and (before.amount is None or line.amount > before.amount):
                return True
        return False


class ProposalLine(CaseChild):
    """One penalty of a proposal: its kind (APL Art. 9), the amount for a kind that has one, and
    a detail (which licence, how long; the text of an "other" penalty)."""

    case_lookup = "proposal__case"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("penalty"), max_length=30, choices=PenaltyType.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("proposed penalty")
        verbose_name_plural = _("proposed penalties")
        ordering = ["proposal", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "kind"], name="cases_proposal_line_kind_once"),
            models.CheckConstraint(
                name="cases_proposal_line_amount_positive", condition=Q(amount__isnull=True) | Q(amount__gt=0)
            ),
            models.CheckConstraint(
                name="cases_proposal_line_amount_by_kind",
                condition=(Q(kind__in=sorted(AMOUNT_KINDS)) & Q(amount__isnull=False))
                | (~Q(kind__in=sorted(AMOUNT_KINDS)) & Q(amount__isnull=True)),
            ),
            models.CheckConstraint(
                name="cases_proposal_line_other_described",
                condition=~Q(kind=PenaltyType.OTHER) | ~Q(detail=""),
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} {self.amount}" if self.amount is not None else str(label)
