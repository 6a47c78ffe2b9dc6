"""The proposed handling of a case (处理建议): checked against the law and the item's discretion
standard, and pinned (the standard's version, the band and a copy of its range).

The investigation-end report makes it (``case_close_investigation``); the steps after it read it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pengjiang_enforcement.audit import snapshot
from pengjiang_enforcement.exceptions import check_all
from pengjiang_enforcement.models import User
from powers.models import DiscretionBand, DiscretionStandard
from powers.selectors import discretion_standard_on

from ..choices import ProposalOutcome
from ..models import Case, InvestigationReport, Proposal, ProposalLine
from ..models.proposals import AMOUNT_KINDS
from ..rules import proposals as rules

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PenaltyLineDraft:
    """One penalty as the officer wrote it (APL Art. 9)."""

    kind: str
    amount: Decimal | None = None
    detail: str = ""


@dataclass(frozen=True)
class ProposalDraft:
    """A proposal as the officer wrote it, before the rules have looked at it. The standard
    pinned is the chosen band's."""

    outcome: str
    reasons: str
    lines: tuple[PenaltyLineDraft, ...] = ()
    no_penalty_ground: str = ""
    transfer_kind: str = ""
    transfer_to: str = ""
    band: DiscretionBand | None = None


@dataclass(frozen=True)
class ApplicableStandards:
    """The discretion standards a proposal on this case may use (APL Art. 37, 从旧兼从轻): the one
    in force on the date of the act, and the one in force on the day of the proposal when it is
    another (chosen only where it is lighter)."""

    act_day: datetime.date
    of_act_date: DiscretionStandard | None
    of_today: DiscretionStandard | None
    act_bands: list[DiscretionBand] = field(default_factory=list)

    @property
    def exist(self) -> bool:
        return self.of_act_date is not None or self.of_today is not None

    @property
    def choices(self) -> list[DiscretionStandard]:
        return [s for s in (self.of_act_date, self.of_today) if s is not None]


def act_day(case: Case) -> datetime.date:
    """The day the act was committed for APL Art. 37: a continuing or repeated act is committed
    until it ends (the same reading as the limitation period, Art. 36)."""
    return case.act_end_date if case.act_continuing and case.act_end_date else case.act_date


def applicable_standards(case: Case, today: datetime.date) -> ApplicableStandards:
    """The standard of the act's date and, when another, today's (see :class:`ApplicableStandards`).

    Decided: the act's date governs (APL Art. 37, the law of the act's date); the standard in force
    on the day of the proposal may be chosen instead only when lighter for the band chosen, which
    :func:`cases.rules.apl_37_discretion_standard` checks.
    """
    day = act_day(case)
    old = discretion_standard_on(case.power_item, day)
    new = discretion_standard_on(case.power_item, today)
    if new is not None and old is not None and new.pk == old.pk:
        new = None
    bands = list(old.bands.all()) if old is not None else []
    return ApplicableStandards(act_day=day, of_act_date=old, of_today=new, act_bands=bands)


@dataclass(frozen=True)
class StatutoryTerms:
    """What the item's penalty basis provides, as the version pinned for the act's date records it
    (the item's current row when the version does not say)."""

    kinds: list[str]
    fine_min: Decimal | None
    fine_max: Decimal | None


def statutory_terms(case: Case) -> StatutoryTerms:
    item = case.power_item
    version = case.power_item_version
    data = version.data if version is not None and isinstance(version.data, dict) else {}

    def amount(name: str) -> Decimal | None:
        value = data[name] if name in data else getattr(item, name)
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None

    kinds = data.get("penalty_types") if isinstance(data.get("penalty_types"), list) else item.penalty_types
    return StatutoryTerms(kinds=list(kinds or []), fine_min=amount("fine_min"), fine_max=amount("fine_max"))


def _line_checks(line: PenaltyLineDraft, terms: StatutoryTerms, item_code: str) -> None:
    """Every rule about one line; later checks rely on the earlier ones (one callable)."""
    rules.apl_9_penalty_kind(line.kind)
    rules.penalty_kind_of_item(line.kind, terms.kinds, item_code)
    if line.kind in AMOUNT_KINDS:
        rules.penalty_amount_required(line.kind, line.amount)
        assert line.amount is not None
        rules.penalty_amount_positive(line.kind, line.amount)
    else:
        rules.penalty_amount_not_applicable(line.kind, line.amount)
    rules.penalty_other_detail(line.kind, line.detail)


def proposal_check(*, case: Case, draft: ProposalDraft, today: datetime.date) -> ApplicableStandards:
    """Check a proposal against every rule, all at once (a form shows each problem together).
    Changes nothing; returns the standards it was checked against."""
    standards = applicable_standards(case, today)
    terms = statutory_terms(case)
    item_code = case.power_item.full_code
    penalty = draft.outcome == ProposalOutcome.PENALTY
    fine = next((line for line in draft.lines if line.kind == "fine"), None)

    def outcome_known() -> None:
        if draft.outcome not in ProposalOutcome.values:
            raise ValueError(draft.outcome)

    def band_checks() -> None:
        rules.discretion_band_chosen(draft.outcome, draft.band, standards.exist)
        if not penalty or draft.band is None:
            return
        rules.apl_37_discretion_standard(
            draft.band.standard,
            draft.band,
            of_act_date=standards.of_act_date,
            of_today=standards.of_today,
            act_bands=standards.act_bands,
        )
        if fine is not None and fine.amount is not None and fine.amount > 0:
            rules.fine_within_band(fine.amount, draft.band, draft.band.standard.version)

    def statutory_range() -> None:
        if fine is not None and fine.amount is not None and fine.amount > 0:
            rules.fine_within_statutory_range(fine.amount, terms.fine_min, terms.fine_max, item_code)

    outcome_known()
    check_all(
        ("reasons", lambda: rules.proposal_reasons(draft.reasons)),
        ("no_penalty_ground", lambda: rules.apl_33_no_penalty_ground(draft.outcome, draft.no_penalty_ground)),
        ("transfer_kind", lambda: rules.proposal_transfer(draft.outcome, draft.transfer_kind, draft.transfer_to)),
        (None, lambda: rules.proposal_penalty_lines(draft.outcome, len(draft.lines))),
        (None, lambda: rules.apl_29_kind_once([line.kind for line in draft.lines])),
        *((None, lambda line=line: _line_checks(line, terms, item_code)) for line in draft.lines),
        ("band", band_checks),
        (None, statutory_range),
    )
    return standards


def proposal_make(
    *,
    case: Case,
    actor: User,
    draft: ProposalDraft,
    today: datetime.date,
    report: InvestigationReport | None = None,
) -> Proposal:
    """Check and save a proposal with its lines, the band pinned (inside the caller's transaction,
    with the case locked; the caller records the event)."""
    proposal_check(case=case, draft=draft, today=today)
    band = draft.band if draft.outcome == ProposalOutcome.PENALTY else None
    proposal = Proposal(
        case=case,
        report=report,
        outcome=draft.outcome,
        no_penalty_ground=draft.no_penalty_ground,
        transfer_kind=draft.transfer_kind,
        transfer_to=draft.transfer_to.strip(),
        standard=band.standard if band is not None else None,
        band=band,
        band_level=band.level if band is not None else "",
        band_fine_min=band.fine_min if band is not None else None,
        band_fine_max=band.fine_max if band is not None else None,
        band_conditions=band.conditions if band is not None else "",
        reasons=draft.reasons.strip(),
        created_by=actor,
    )
    proposal.full_clean()
    proposal.save()
    lines = [
        ProposalLine(
            proposal=proposal,
            kind=line.kind,
            amount=line.amount.quantize(CENT) if line.amount is not None else None,
            detail=line.detail.strip(),
            sort_order=n,
        )
        for n, line in enumerate(draft.lines)
    ]
    for line in lines:
        line.full_clean(exclude=["proposal"])
    ProposalLine.objects.bulk_create(lines)
    proposal.line_list = lines
    return proposal


def proposal_snapshot(proposal: Proposal) -> dict:
    """The proposal as the audit trail keeps it: its fields and its lines."""
    return {
        **snapshot(proposal),
        "lines": [snapshot(line, ["kind", "amount", "detail"]) for line in proposal.lines_in_order],
    }
