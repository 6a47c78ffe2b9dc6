"""The legal rules a lead or case must pass, one small function each.

Each function raises :class:`~pengjiang_enforcement.exceptions.RuleViolation` naming the rule
(tests are named after it) with a message that says which rule stopped the user and why. Date
arithmetic follows the working-day calendar where the law counts working days (APL Art. 85).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from pengjiang_enforcement import workdays
from pengjiang_enforcement.choices import Role, UnitKind
from pengjiang_enforcement.exceptions import RuleViolation
from powers.choices import PowerKind
from powers.selectors import is_delegated

from .. import identity
from ..choices import (
    Collection,
    Gender,
    NoPenaltyGround,
    OnSpotPenalty,
    PartyKind,
    PaymentMethod,
)
from ..constants import (
    CASH_HANDOVER_WORKING_DAYS,
    CORRECTION_PAST_DECISION_DAYS,
    DECISION_CALENDAR_DAYS,
    LIMITATION_YEARS,
    LIMITATION_YEARS_SERIOUS,
    MIN_HANDLING_OFFICERS,
    ON_SPOT_COLLECTION_LIMIT,
    ON_SPOT_FINE_LIMIT_ORGANISATION,
    ON_SPOT_FINE_LIMIT_PERSON,
    PAYMENT_CALENDAR_DAYS,
    PRESERVATION_WORKING_DAYS,
)

if TYPE_CHECKING:
    from pengjiang_enforcement.models import EnforcementCertificate, Unit, User
    from powers.models import PowerItem


# --- the power item -----------------------------------------------------------------------
def item_is_penalty_power(item: PowerItem) -> None:
    """A penalty case is filed under an administrative-penalty item of the catalogue."""
    if item.kind != PowerKind.PENALTY:
        raise RuleViolation(
            _("%(item)s is not an administrative-penalty power; a case is filed under a penalty item."),
            rule="item_is_penalty_power",
            params={"item": item.full_code},
        )


def item_delegated_on_filing_date(item: PowerItem, township: Unit, day: datetime.date) -> None:
    """APL Art. 24 and the catalogue: the township may act only on a power delegated to it on the
    day the case is filed. Jurisdiction is the filing date's: a township that holds the power now
    files a case on an act committed before the delegation began (within the limitation period,
    which the act's date governs); a recalled item is not chosen after its end date, and cases
    filed before the recall keep it."""
    if not is_delegated(item, township, day):
        raise RuleViolation(
            _(
                "APL Art. 24: %(item)s is not delegated to %(township)s on %(day)s, the filing date "
                "(not yet, recalled or ended): no case can be filed under it."
            ),
            rule="item_delegated_on_filing_date",
            params={"item": item.full_code, "township": township.name, "day": day.isoformat()},
        )


# --- dates of the act ---------------------------------------------------------------------
def act_dates_consistent(
    *,
    act_date: datetime.date,
    act_end_date: datetime.date | None,
    continuing: bool,
    discovered_on: datetime.date,
    today: datetime.date,
) -> None:
    """The act happened before it was discovered, discovery is not in the future, and a
    continuing act has an end no earlier than its start."""
    if discovered_on > today:
        raise RuleViolation(
            _("The discovery date %(day)s is in the future."),
            rule="act_dates_consistent",
            params={"day": discovered_on},
        )
    if act_date > discovered_on:
        raise RuleViolation(
            _("The act (%(act)s) cannot be later than its discovery (%(found)s)."),
            rule="act_dates_consistent",
            params={"act": act_date.isoformat(), "found": discovered_on.isoformat()},
        )
    if continuing and act_end_date is not None and not (act_date <= act_end_date <= today):
        raise RuleViolation(
            _("The end of a continuing act lies between its start and today."), rule="act_dates_consistent"
        )


def limitation_years(serious_harm: bool) -> int:
    return LIMITATION_YEARS_SERIOUS if serious_harm else LIMITATION_YEARS


def apl_36_limitation_period(
    *,
    act_date: datetime.date,
    act_end_date: datetime.date | None,
    continuing: bool,
    serious_harm: bool,
    discovered_on: datetime.date,
) -> None:
    """APL Art. 36: no penalty for an act not discovered within two years (five where it harmed
    life, health or financial safety); for a continuing or repeated act the period runs from the
    day it ended."""
    start = act_end_date if continuing and act_end_date else act_date
    years = limitation_years(serious_harm)
    limit = workdays.add_years(start, years)
    if discovered_on > limit:
        raise RuleViolation(
            _(
                "APL Art. 36: the act of %(start)s was discovered on %(found)s, after the %(years)s-year "
                "limitation period ended on %(limit)s; it can no longer be penalised."
            ),
            rule="apl_36_limitation_period",
            params={
                "start": start.isoformat(),
                "found": discovered_on.isoformat(),
                "years": years,
                "limit": limit.isoformat(),
            },
        )


# --- officers -----------------------------------------------------------------------------
def apl_42_two_officers(officers: Sequence[User]) -> None:
    """APL Art. 42: a case is handled by at least two enforcement officers."""
    distinct = {officer.pk for officer in officers}
    if len(distinct) < MIN_HANDLING_OFFICERS:
        raise RuleViolation(
            _("APL Art. 42: at least %(min)s handling officers are required; %(count)s chosen."),
            rule="apl_42_two_officers",
            params={"min": MIN_HANDLING_OFFICERS, "count": len(distinct)},
        )


def apl_42_certificates_valid(officers: Sequence[User], day: datetime.date) -> dict[int, EnforcementCertificate]:
    """APL Art. 42: every handling officer holds an enforcement certificate valid on ``day``.

    Returns the certificate of each officer (by user id), to be pinned on the case.
    """
    found: dict[int, EnforcementCertificate] = {}
    missing = []
    for officer in officers:
        certificate = officer.valid_certificate_on(day)
        if certificate is None:
            missing.append(str(officer))
        else:
            found[officer.pk] = certificate
    if missing:
        raise RuleViolation(
            _("APL Art. 42: %(names)s hold no enforcement certificate valid on %(day)s."),
            rule="apl_42_certificates_valid",
            params={"names": "、".join(missing), "day": day.isoformat()},
        )
    return found


def officers_of_township(officers: Sequence[User], township: Unit) -> None:
    """Handling officers belong to the township's own office (one team per township)."""
    strangers = [str(o) for o in officers if o.unit is None or o.unit.township_id != township.pk or not o.is_active]
    if strangers:
        raise RuleViolation(
            _("%(names)s do not work for %(township)s and cannot handle its cases."),
            rule="officers_of_township",
            params={"names": "、".join(strangers), "township": township.name},
        )


def handling_team(officers: Sequence[User], township: Unit, day: datetime.date) -> dict[int, EnforcementCertificate]:
    """A team that may handle a case of ``township`` on ``day`` (APL Art. 42): officers of the
    township, at least two, each with a certificate valid that day. Returns the certificates."""
    officers_of_township(officers, township)
    apl_42_two_officers(officers)
    return apl_42_certificates_valid(officers, day)


def apl_55_certificates_shown(shown: bool) -> None:
    """APL Art. 55: officers investigating show their enforcement certificates."""
    if not shown:
        raise RuleViolation(
            _("APL Art. 55: the officers must show their enforcement certificates; record that they did."),
            rule="apl_55_certificates_shown",
        )


def is_office_head_of(user: User, township: Unit) -> bool:
    return bool(
        user.is_active
        and user.has_role(Role.OFFICE_HEAD)
        and user.unit is not None
        and user.unit.township_id == township.pk
    )


def approved_by_office_head(approver: User, township: Unit) -> None:
    """The head of the township's enforcement office approves filings, extensions and
    preservations (APL Art. 54, 56, 60)."""
    if not is_office_head_of(approver, township):
        raise RuleViolation(
            _("Only the head of the %(township)s enforcement office may approve this."),
            rule="approved_by_office_head",
            params={"township": township.name},
        )


def filing_four_eyes(approver: User, requested_by: User) -> None:
    """Nobody approves his own filing: the officer who asked for it does not approve it too."""
    if approver.pk == requested_by.pk:
        raise RuleViolation(
            _(
                "You asked for this filing, and nobody approves his own filing: another office head "
                "or the township leader approves it."
            ),
            rule="filing_four_eyes",
        )


def is_township_leader_of(user: User, township: Unit) -> bool:
    return bool(
        user.is_active
        and user.has_role(Role.TOWNSHIP_LEADER)
        and user.unit is not None
        and user.unit.township_id == township.pk
    )


def is_district_head(user: User) -> bool:
    """An office head or leader whose unit is the district itself (not a township, not a bureau)."""
    return bool(
        user.is_active
        and (user.has_role(Role.OFFICE_HEAD) or user.has_role(Role.TOWNSHIP_LEADER))
        and user.unit is not None
        and user.unit.kind == UnitKind.DISTRICT
    )


def filing_approver(approver: User, township: Unit, requested_by: User) -> None:
    """APL Art. 54: the head of the agency approves the filing. The office head of the township
    approves it; a filing the office head asked for himself goes to the township leader (镇街领导,
    the head of the township that enforces in its own name), another office head, or, where the
    township has neither, a head of the district."""
    if is_office_head_of(approver, township):
        return
    if is_office_head_of(requested_by, township) and (
        is_township_leader_of(approver, township) or is_district_head(approver)
    ):
        return
    raise RuleViolation(
        _(
            "Only the head of the %(township)s enforcement office approves this filing (or the "
            "township leader, when the office head asked for it himself)."
        ),
        rule="filing_approver",
        params={"township": township.name},
    )


# --- deadlines ----------------------------------------------------------------------------
def check_deadline(discovered_on: datetime.date, working_days: int) -> datetime.date:
    """The preliminary check ends within N working days of discovering the lead (data)."""
    return workdays.add_working_days(discovered_on, working_days)


def apl_60_decision_deadline(filed_on: datetime.date) -> datetime.date:
    """APL Art. 60: decide within 90 days of filing (calendar days; a period ending on a day off
    ends on the next working day)."""
    return workdays.add_calendar_days(filed_on, DECISION_CALENDAR_DAYS)


def apl_56_preservation_deadline(registered_on: datetime.date) -> datetime.date:
    """APL Art. 56: decide on preserved evidence within 7 days, which are working days (Art. 85)."""
    return workdays.add_working_days(registered_on, PRESERVATION_WORKING_DAYS)


def deadline_not_in_past(day: datetime.date, *, today: datetime.date, label: str) -> None:
    """A deadline given to a party or set for ourselves lies in the future."""
    if day <= today:
        raise RuleViolation(
            _("%(label)s (%(day)s) must lie after today."),
            rule="deadline_not_in_past",
            params={"label": label, "day": day.isoformat()},
        )


def not_in_future(day: datetime.date, *, today: datetime.date, label: str) -> None:
    """What already happened (an inspection, a registration) is not dated in the future."""
    if day > today:
        raise RuleViolation(
            _("%(label)s (%(day)s) is in the future."),
            rule="not_in_future",
            params={"label": label, "day": day.isoformat()},
        )


# --- the simple procedure (当场处罚) --------------------------------------------------------
def fine_amount_positive(amount: Decimal | None) -> None:
    """A fine is an amount of money above zero (APL Art. 9); a warning has none."""
    if amount is None or amount <= 0:
        raise RuleViolation(_("A fine has an amount above zero yuan."), rule="fine_amount_positive")


def apl_51_simple_procedure_limit(*, penalty: str, amount: Decimal | None, party_kind: str) -> None:
    """APL Art. 51: on-the-spot fines up to 200 yuan (person) / 3,000 (organisation), or a warning.

    A heavier fine needs the general procedure (filing, investigation, review, notice)."""
    if penalty not in (OnSpotPenalty.WARNING, OnSpotPenalty.FINE):
        raise RuleViolation(
            _("APL Art. 51: on the spot only a warning or a fine is decided."), rule="apl_51_simple_procedure_limit"
        )
    if penalty != OnSpotPenalty.FINE or amount is None:
        return
    person = party_kind == PartyKind.PERSON
    limit = ON_SPOT_FINE_LIMIT_PERSON if person else ON_SPOT_FINE_LIMIT_ORGANISATION
    if amount > limit:
        raise RuleViolation(
            _(
                "APL Art. 51: a fine decided on the spot is at most %(limit)s yuan for %(whom)s; "
                "%(amount)s yuan needs the general procedure (file a case)."
            ),
            rule="apl_51_simple_procedure_limit",
            params={
                "limit": limit,
                "whom": _("a person") if person else _("an organisation"),
                "amount": amount,
            },
        )


def apl_52_certificates_shown(shown: bool) -> None:
    """APL Art. 52: officers deciding on the spot show their enforcement certificates."""
    if not shown:
        raise RuleViolation(
            _("APL Art. 52: the officers must show their enforcement certificates; record that they did."),
            rule="apl_52_certificates_shown",
        )


def apl_52_signed_or_refusal_noted(signed: bool, refusal_note: str) -> None:
    """APL Art. 52: the party signs the decision; a refusal to sign is noted on it."""
    if not signed and not (refusal_note or "").strip():
        raise RuleViolation(
            _("APL Art. 52: the party signs the decision; if the party refuses, note the refusal."),
            rule="apl_52_signed_or_refusal_noted",
        )


def apl_68_on_spot_collection(*, collection: str, amount: Decimal | None, reason: str) -> None:
    """APL Art. 68: a fine is collected on the spot only when it is up to 100 yuan, or when paying
    it later would be difficult (the reason recorded); otherwise it is paid at the bank (Art. 67)."""
    if collection != Collection.ON_SPOT or amount is None:
        return
    if amount > ON_SPOT_COLLECTION_LIMIT and not (reason or "").strip():
        raise RuleViolation(
            _(
                "APL Art. 68: a fine above %(limit)s yuan (here %(amount)s) is collected on the spot only "
                "when paying it later would be difficult: record why, or let the party pay at the bank."
            ),
            rule="apl_68_on_spot_collection",
            params={"limit": ON_SPOT_COLLECTION_LIMIT, "amount": amount},
        )


def apl_68_cash_only_when_collected_on_spot(*, method: str, collection: str) -> None:
    """APL Arts. 67-68: cash is taken only for a decision that collects on the spot; a fine to be
    paid at the bank is never taken by the officers (罚缴分离)."""
    if method == PaymentMethod.CASH and collection != Collection.ON_SPOT:
        raise RuleViolation(
            _("APL Art. 67: this fine is paid at the bank (罚缴分离); the officers take no cash for it."),
            rule="apl_68_cash_only_when_collected_on_spot",
        )


def payment_matches_fine(paid: Decimal, fine: Decimal) -> None:
    """The payment recorded is the fine decided, no more and no less."""
    if paid != fine:
        raise RuleViolation(
            _("The amount paid (%(paid)s yuan) is not the fine decided (%(fine)s yuan)."),
            rule="payment_matches_fine",
            params={"paid": paid, "fine": fine},
        )


def apl_70_receipt_number(receipt_number: str) -> None:
    """APL Art. 70: money collected on the spot is receipted on the finance department's receipt
    (专用票据); a bank payment has the bank's reference. Either is recorded."""
    if not (receipt_number or "").strip():
        raise RuleViolation(
            _("APL Art. 70: record the number of the receipt (专用票据) or of the bank's slip."),
            rule="apl_70_receipt_number",
        )


def apl_67_payment_deadline(served_on: datetime.date) -> datetime.date:
    """APL Art. 67: the fine is paid within 15 days of receiving the decision (calendar days; a
    period ending on a day off ends on the next working day)."""
    return workdays.add_calendar_days(served_on, PAYMENT_CALENDAR_DAYS)


def apl_71_cash_handover_deadline(collected_on: datetime.date) -> datetime.date:
    """APL Art. 71: cash collected on the spot reaches the office within 2 days (working days,
    Art. 85) of its collection."""
    return workdays.add_working_days(collected_on, CASH_HANDOVER_WORKING_DAYS)


def simple_record_after_payment(*, is_fine: bool, paid: bool) -> None:
    """The on-the-spot decision is filed for the record (备案) with its file complete: a fine once
    its payment is recorded (an unpaid fine goes to enforcement)."""
    if is_fine and not paid:
        raise RuleViolation(
            _("Record the payment of the fine before filing the decision for the record (备案)."),
            rule="simple_record_after_payment",
        )


def archive_nothing_open(open_deadlines: Sequence[str]) -> None:
    """APL Art. 47: a case is archived with its file complete: no period still running against it
    (cash still to hand over, a correction to re-inspect)."""
    if open_deadlines:
        raise RuleViolation(
            _("The case cannot be archived while these are still open: %(open)s."),
            rule="archive_nothing_open",
            params={"open": "、".join(open_deadlines)},
        )


# --- identity numbers ---------------------------------------------------------------------
def resident_id_format(value: str) -> None:
    """GB 11643-1999: 17 digits and a check character (0–9 or X)."""
    if identity.resident_id_problem(value) == "format":
        raise RuleViolation(
            _("A resident identity number has 17 digits and a check digit (0–9 or X)."), rule="resident_id_format"
        )


def resident_id_birth_date(value: str, *, today: datetime.date | None = None) -> None:
    """GB 11643-1999: digits 7–14 are the holder's birth date, a real day not in the future."""
    if identity.resident_id_problem(value, today=today) == "birth_date":
        raise RuleViolation(
            _("The birth date inside the identity number %(value)s is not a real date."),
            rule="resident_id_birth_date",
            params={"value": value},
        )


def resident_id_check_digit(value: str) -> None:
    """GB 11643-1999: the last character is the check digit of the first seventeen."""
    if identity.resident_id_problem(value) == "check_digit":
        raise RuleViolation(
            _("The check digit of %(value)s is wrong (GB 11643): please check the number."),
            rule="resident_id_check_digit",
            params={"value": value},
        )


def resident_id_valid(value: str, *, today: datetime.date | None = None) -> str:
    """A resident identity number passes the three rules of GB 11643-1999 (format, birth date,
    check digit). Returns the normalised number."""
    value = identity.normalise(value)
    resident_id_format(value)
    resident_id_birth_date(value, today=today)
    resident_id_check_digit(value)
    return value


def credit_code_format(value: str) -> None:
    """GB 32100-2015: 18 characters, digits and capital letters except I, O, S, V, Z."""
    if identity.credit_code_problem(value) == "format":
        raise RuleViolation(
            _("A unified social credit code has 18 characters (digits and capital letters except I, O, S, V, Z)."),
            rule="credit_code_format",
        )


def credit_code_check_character(value: str) -> None:
    """GB 32100-2015: the last character checks the other seventeen."""
    if identity.credit_code_problem(value) == "check_character":
        raise RuleViolation(
            _("The check character of %(value)s is wrong (GB 32100): please check the code."),
            rule="credit_code_check_character",
            params={"value": value},
        )


def credit_code_valid(value: str) -> str:
    """A unified social credit code passes both rules of GB 32100-2015. Returns the normalised code."""
    value = identity.normalise(value)
    credit_code_format(value)
    credit_code_check_character(value)
    return value


# --- warnings: told to the officer, nothing is refused ------------------------------------------
def gender_from_resident_id(id_number: str) -> str | None:
    """GB 11643: the 17th digit of a resident identity number is odd for a man, even for a woman."""
    value = identity.normalise(id_number or "")
    if len(value) != 18 or not value[16].isdigit():
        return None
    return Gender.MALE if int(value[16]) % 2 else Gender.FEMALE


def gender_contradicts_id_warning(gender: str, id_number: str) -> str | None:
    """The gender entered contradicts the identity number (a typing slip in one of them)."""
    expected = gender_from_resident_id(id_number)
    if not gender or expected is None or gender == expected:
        return None
    return _(
        "The gender entered (%(gender)s) contradicts the identity number, whose 17th digit says "
        "%(expected)s: check both."
    ) % {"gender": Gender(gender).label, "expected": Gender(expected).label}


def evidence_before_act_warning(collected_on: datetime.date, act_date: datetime.date | None) -> str | None:
    """Evidence collected before the act it proves happened: usually a slip in one of the dates."""
    if act_date is None or collected_on >= act_date:
        return None
    return _("The evidence was collected on %(collected)s, before the date of the act (%(act)s): check both dates.") % {
        "collected": collected_on.isoformat(),
        "act": act_date.isoformat(),
    }


def correction_past_decision_warning(deadline: datetime.date, decision_due: datetime.date | None) -> str | None:
    """A correction deadline far beyond the decision deadline (APL Art. 60: decide within 90 days)."""
    if decision_due is None or deadline <= decision_due + datetime.timedelta(days=CORRECTION_PAST_DECISION_DAYS):
        return None
    return _(
        "The correction is due on %(deadline)s, long after the case must be decided (%(due)s): the "
        "decision will not know whether the act was corrected. Check the deadline."
    ) % {"deadline": deadline.isoformat(), "due": decision_due.isoformat()}


def first_violation_earlier_cases_warning(ground: str, earlier: int) -> str | None:
    """首违不罚 (APL Art. 33(1)) proposed for a party with earlier cases in the district: the officer
    checks whether this is really a first violation (an earlier case of another kind may not count)."""
    if ground != NoPenaltyGround.FIRST_VIOLATION or not earlier:
        return None
    return _(
        "首违不罚 was proposed, but the party has %(n)s earlier case(s) in the district: check that this is "
        "a first violation (APL Art. 33)."
    ) % {"n": earlier}
