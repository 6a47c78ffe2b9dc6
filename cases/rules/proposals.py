"""The rules of the proposed handling (调查终结报告的处理建议): its outcome and ground, the penalty
lines of APL Art. 9, the discretion band and the statutory range."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from pengjiang_enforcement.exceptions import RuleViolation
from powers.choices import DiscretionLevel, PenaltyType

from ..choices import NoPenaltyGround, ProposalOutcome, TransferKind

if TYPE_CHECKING:
    from powers.models import DiscretionBand, DiscretionStandard


# --- the proposed handling (调查终结报告的处理建议) --------------------------------------------------
def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _range_text(low: Decimal | None, high: Decimal | None) -> str:
    return f"{_yuan(low)}–{_yuan(high)}"


def proposal_reasons(reasons: str) -> None:
    """APL Art. 5 and 34: the handling proposed, and the discretion used, are reasoned in writing."""
    if not reasons.strip():
        raise RuleViolation(
            _("Write the reasons for the proposal and for the discretion used (APL Art. 5, 34)."),
            rule="proposal_reasons",
            field="reasons",
        )


def apl_33_no_penalty_ground(outcome: str, ground: str) -> None:
    """APL Arts. 30, 31, 33: a party is not penalised only on a ground the law names; a proposal
    of no penalty names it, any other proposal names none."""
    if outcome == ProposalOutcome.NO_PENALTY and ground not in NoPenaltyGround.values:
        raise RuleViolation(
            _("A proposal of no penalty names its ground in law (APL Art. 30, 31 or 33)."),
            rule="apl_33_no_penalty_ground",
            field="no_penalty_ground",
        )
    if outcome != ProposalOutcome.NO_PENALTY and ground:
        raise RuleViolation(
            _("A ground for no penalty belongs to a proposal of no penalty only."),
            rule="apl_33_no_penalty_ground",
            field="no_penalty_ground",
        )


def proposal_transfer(outcome: str, kind: str, receiver: str) -> None:
    """APL Art. 27 (a suspected crime goes to the judicial organs) and Art. 22 (a matter of
    another authority goes to it): a transfer says which, and to whom."""
    if outcome == ProposalOutcome.TRANSFER and (kind not in TransferKind.values or not receiver.strip()):
        raise RuleViolation(
            _("A transfer says why (suspected crime, APL Art. 27, or another authority's jurisdiction) and to whom."),
            rule="proposal_transfer",
            field="transfer_kind",
        )
    if outcome != ProposalOutcome.TRANSFER and (kind or receiver.strip()):
        raise RuleViolation(
            _("Only a proposal to transfer names a transfer."), rule="proposal_transfer", field="transfer_kind"
        )


def proposal_penalty_lines(outcome: str, count: int) -> None:
    """A proposal to penalise names at least one penalty (APL Art. 9); no other proposal names any."""
    if outcome == ProposalOutcome.PENALTY and count == 0:
        raise RuleViolation(
            _("Name at least one penalty (APL Art. 9) for a proposal to penalise."), rule="proposal_penalty_lines"
        )
    if outcome != ProposalOutcome.PENALTY and count:
        raise RuleViolation(
            _("Only a proposal to penalise names penalties; remove them or propose a penalty."),
            rule="proposal_penalty_lines",
        )


def apl_9_penalty_kind(kind: str) -> None:
    """APL Art. 9: the penalties the law knows. Administrative detention (Art. 9(5)) belongs to the
    public security organs; a township never imposes it."""
    if kind not in PenaltyType.values:
        raise RuleViolation(
            _("“%(kind)s” is not a penalty a township may impose (APL Art. 9; administrative detention never)."),
            rule="apl_9_penalty_kind",
            params={"kind": kind},
        )


def penalty_kind_of_item(kind: str, item_kinds: Sequence[str], item_code: str) -> None:
    """APL Art. 4: a penalty is imposed only as the law provides; where the item records the kinds
    of penalty its basis provides, a kind outside them is refused (an item recording none is not
    checked)."""
    if item_kinds and kind not in item_kinds:
        labels = dict(PenaltyType.choices)
        raise RuleViolation(
            _("APL Art. 4: the penalty basis of %(item)s provides %(kinds)s, not %(kind)s."),
            rule="penalty_kind_of_item",
            params={
                "item": item_code,
                "kinds": "、".join(str(labels.get(k, k)) for k in item_kinds),
                "kind": str(labels.get(kind, kind)),
            },
        )


def apl_29_kind_once(kinds: Sequence[str]) -> None:
    """APL Art. 29 (一事不再罚): one act receives one fine; no kind of penalty is proposed twice."""
    seen: set[str] = set()
    for kind in kinds:
        if kind in seen:
            if kind == PenaltyType.FINE:
                message = _("APL Art. 29: one act receives one fine; propose a single fine (the higher rule applies).")
            else:
                message = _("%(kind)s is proposed twice; name each penalty once.")
            raise RuleViolation(message, rule="apl_29_kind_once", params={"kind": str(PenaltyType(kind).label)})
        seen.add(kind)


def penalty_amount_required(kind: str, amount: Decimal | None) -> None:
    """A fine, a confiscation of illegal gains or of illegal property states its amount (value)."""
    if amount is None:
        raise RuleViolation(
            _("%(kind)s needs its amount in yuan."),
            rule="penalty_amount_required",
            params={"kind": str(PenaltyType(kind).label)},
        )


def penalty_amount_not_applicable(kind: str, amount: Decimal | None) -> None:
    """A penalty without money (a warning, a licence revoked...) carries no amount."""
    if amount is not None:
        raise RuleViolation(
            _("%(kind)s carries no amount; leave the amount empty."),
            rule="penalty_amount_not_applicable",
            params={"kind": str(PenaltyType(kind).label)},
        )


def penalty_amount_positive(kind: str, amount: Decimal) -> None:
    """An amount is money: yuan, above zero, with at most two decimals (fen)."""
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RuleViolation(
            _("%(kind)s: %(amount)s is not an amount; write yuan above zero, with at most two decimals."),
            rule="penalty_amount_positive",
            params={"kind": str(PenaltyType(kind).label), "amount": amount},
        )


def penalty_other_detail(kind: str, detail: str) -> None:
    """APL Art. 9(6): an "other" penalty is one a law or administrative regulation sets; say which."""
    if kind == PenaltyType.OTHER and not detail.strip():
        raise RuleViolation(
            _("Describe the other penalty and the law or administrative regulation that sets it (APL Art. 9(6))."),
            rule="penalty_other_detail",
        )


def discretion_band_chosen(outcome: str, band: DiscretionBand | None, standards_exist: bool) -> None:
    """APL Art. 34: where the item has a discretion standard, a penalty is proposed within one of
    its bands, which the officer chooses; a proposal not to penalise chooses none."""
    if outcome != ProposalOutcome.PENALTY:
        if band is not None:
            raise RuleViolation(
                _("A discretion band belongs to a proposal to penalise only."),
                rule="discretion_band_chosen",
                field="band",
            )
        return
    if band is None and standards_exist:
        raise RuleViolation(
            _("APL Art. 34: choose the band of the item's discretion standard the penalty falls in."),
            rule="discretion_band_chosen",
            field="band",
        )


def apl_37_discretion_standard(
    chosen: DiscretionStandard,
    band: DiscretionBand,
    *,
    of_act_date: DiscretionStandard | None,
    of_today: DiscretionStandard | None,
    act_bands: Sequence[DiscretionBand],
) -> None:
    """APL Art. 37 (从旧兼从轻): the standard in force on the date of the act applies; a standard
    in force now may be chosen instead only when it is lighter for the band chosen (its range
    neither starts nor ends higher than the same level of the act date's standard). When no
    standard was in force on the act's date, today's applies: it only narrows the legal range of
    the act's date, which is checked on its own (:func:`fine_within_statutory_range`)."""
    allowed = {s.pk for s in (of_act_date, of_today) if s is not None}
    if chosen.pk not in allowed:
        raise RuleViolation(
            _(
                "APL Art. 37: discretion standard v%(version)s was in force neither on the date of the act nor "
                "today; choose a band of the standard that applies."
            ),
            rule="apl_37_discretion_standard",
            params={"version": chosen.version},
            field="band",
        )
    if of_act_date is None or chosen.pk == of_act_date.pk:
        return
    before = next((b for b in act_bands if b.level == band.level), None)
    if before is None:
        return

    def bounds(b: DiscretionBand) -> tuple[Decimal, Decimal]:
        low = Decimal(b.fine_min) if b.fine_min is not None else Decimal("0")
        high = Decimal(b.fine_max) if b.fine_max is not None else Decimal("Infinity")
        return low, high

    (low, high), (old_low, old_high) = bounds(band), bounds(before)
    if low > old_low or high > old_high:
        raise RuleViolation(
            _(
                "APL Art. 37: the later standard v%(new)s (%(level)s, %(range)s yuan) is not lighter than v%(old)s in "
                "force on the date of the act (%(old_range)s yuan); the act date's standard applies."
            ),
            rule="apl_37_discretion_standard",
            params={
                "new": chosen.version,
                "old": of_act_date.version,
                "level": str(DiscretionLevel(band.level).label),
                "range": _range_text(band.fine_min, band.fine_max),
                "old_range": _range_text(before.fine_min, before.fine_max),
            },
            field="band",
        )


def fine_within_band(amount: Decimal, band: DiscretionBand, version: int) -> None:
    """APL Art. 34: the fine lies within the range of the discretion band chosen."""
    low, high = band.fine_min, band.fine_max
    if (low is not None and amount < low) or (high is not None and amount > high):
        raise RuleViolation(
            _(
                "APL Art. 34: a fine of %(amount)s yuan is outside the band chosen (discretion standard "
                "v%(version)s, %(level)s: %(range)s yuan)."
            ),
            rule="fine_within_band",
            params={
                "amount": _yuan(amount),
                "version": version,
                "level": str(DiscretionLevel(band.level).label),
                "range": _range_text(low, high),
            },
        )


def fine_within_statutory_range(amount: Decimal, low: Decimal | None, high: Decimal | None, item_code: str) -> None:
    """APL Art. 4 and the penalty basis: a fine lies within the legal range of the item (as the
    version of the act's date records it), where the item records one."""
    if (low is not None and amount < low) or (high is not None and amount > high):
        raise RuleViolation(
            _("A fine of %(amount)s yuan is outside the legal range of %(item)s (%(range)s yuan, APL Art. 4)."),
            rule="fine_within_statutory_range",
            params={"amount": _yuan(amount), "item": item_code, "range": _range_text(low, high)},
        )
