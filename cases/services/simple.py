"""The simple procedure (简易程序, 当场处罚, APL Arts. 51-53, 67-71): the decision on the spot,
handing it over, the payment (and the cash handed to the office), filing for the record (备案),
and archiving (归档, shared with the general procedure)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import snapshot
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import require, user_scope
from pengjiang_enforcement.workdays import today as local_today
from pengjiang_enforcement.workflow import transition
from powers.models import PowerItem
from powers.selectors import version_for_act
from powers.services import usage_record

from .. import rules
from ..choices import (
    CaseState,
    Collection,
    DeadlineKind,
    DeadlineStatus,
    DocumentType,
    LeadSource,
    LeadStatus,
    OnSpotPenalty,
    PaymentMethod,
    Procedure,
)
from ..models import Case, Deadline, Lead, OnSpotDecision, OnSpotPayment, Party
from ..workflow import CASES, LEADS
from .deadlines import deadline_close, deadline_open
from .filing import _officer_list, _set_officers
from .numbering import number_allocate
from .parties import PARTY_FIELDS, _normalise, _refresh_summary

DECISION_AUDIT_FIELDS = [
    "number", "legal_basis", "penalty", "amount", "collection", "on_spot_reason", "payment_reference",
    "certificates_shown", "party_signed", "refusal_note",
]  # fmt: skip


def payment_reference(*, year: int, township_id: int, case_id: int) -> str:
    """The reference the party quotes at the bank (罚缴分离): year, township, case, and a check
    digit (Luhn) so a slip of one digit is caught at the counter."""
    body = f"{year:04d}{township_id:03d}{case_id:08d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


@transaction.atomic
def case_decide_on_spot(
    *,
    actor: User,
    township: Unit,
    power_item: PowerItem,
    title: str,
    facts: str,
    place: str,
    act_date: datetime.date,
    legal_basis: str,
    penalty: str,
    amount: Decimal | None,
    co_officers: Sequence[User],
    party: dict[str, Any],
    certificates_shown: bool,
    party_signed: bool,
    refusal_note: str = "",
    collection: str = "",
    on_spot_reason: str = "",
    lead: Lead | None = None,
    expected_lead_version: int | None = None,
    today: datetime.date | None = None,
) -> Case:
    """An officer decides a penalty on the spot (当场处罚决定, APL Arts. 51-52).

    From a lead of the officer's township (its check ends with this case) or from nothing (found
    on patrol). Checks the item (delegated today), two officers with certificates valid today who
    showed them, the party's identity, the Art. 51 ceiling, the Art. 68 collection and the
    signature or the noted refusal; every problem at once. The decision gets its pre-printed
    number from the township's counter; the case starts in ``on_spot_decided``.
    """
    today = local_today(today)
    CASES.check("case_decide_on_spot", None)
    if lead is not None:
        lead = LEADS.lock(lead, expected_version=expected_lead_version)
        require(actor, "change", lead)
        township = lead.township
        if lead.status == LeadStatus.REGISTERED:
            transition(lead, "lead_start_check", table=LEADS, actor=actor, changes={"checker": actor},
                       data={"checker": str(actor)})  # fmt: skip
        LEADS.check("lead_file", lead.status)
    elif not actor.has_perm("cases.add_case") or user_scope(actor).township_id != township.pk:
        raise PermissionDenied
    officers = _officer_list(actor, co_officers)
    certificates: dict[int, Any] = {}
    penalty_amount = amount if penalty == OnSpotPenalty.FINE else None
    party_values: dict[str, Any] = {}

    def item() -> None:
        rules.item_is_penalty_power(power_item)
        rules.item_delegated_on_filing_date(power_item, township, today)

    def team() -> None:
        certificates.update(rules.handling_team(officers, township, today))
        rules.apl_52_certificates_shown(certificates_shown)

    def act() -> None:
        rules.not_in_future(act_date, today=today, label=_("The date of the act"))

    def who() -> None:
        party_values.update(_normalise({f: party.get(f, "") for f in PARTY_FIELDS}, today=today))

    def fine() -> None:
        if penalty == OnSpotPenalty.FINE:
            rules.fine_amount_positive(penalty_amount)
        rules.apl_51_simple_procedure_limit(penalty=penalty, amount=penalty_amount, party_kind=party["kind"])

    def collect() -> None:
        if penalty == OnSpotPenalty.FINE:
            if collection not in Collection.values:
                raise RuleViolation(_("Say how the fine is paid."), rule="apl_68_on_spot_collection")
            rules.apl_68_on_spot_collection(collection=collection, amount=penalty_amount, reason=on_spot_reason)

    def signed() -> None:
        rules.apl_52_signed_or_refusal_noted(party_signed, refusal_note)

    check_all(
        ("power_item", item), ("co_officer", team), ("act_date", act), ("name", who), ("amount", fine),
        ("on_spot_reason", collect), ("refusal_note", signed),
    )  # fmt: skip
    number = number_allocate(township=township, doc_type=DocumentType.ON_SPOT, year=today.year)
    now = timezone.now()
    case = Case(
        township=township,
        lead=lead,
        procedure=Procedure.SIMPLE,
        state=CaseState.ON_SPOT_DECIDED,
        number=number,
        title=title.strip(),
        facts=facts.strip(),
        place=place.strip(),
        source=lead.source if lead is not None else LeadSource.PATROL,
        act_date=act_date,
        discovered_on=lead.discovered_on if lead is not None else act_date,
        power_item=power_item,
        power_item_version=version_for_act(power_item, act_date),
        requested_by=actor,
        requested_at=now,
    )
    case.full_clean(exclude=["search_vector"])
    case.save()
    _set_officers(case, officers, certificates)
    the_party = Party(case=case, created_by=actor, **party_values)
    the_party.full_clean()
    the_party.save()
    fined = penalty == OnSpotPenalty.FINE
    decision = OnSpotDecision(
        case=case,
        number=number,
        party=the_party,
        decided_at=now,
        legal_basis=legal_basis.strip(),
        penalty=penalty,
        amount=penalty_amount,
        collection=collection if fined else "",
        on_spot_reason=on_spot_reason.strip() if fined and collection == Collection.ON_SPOT else "",
        payment_reference=(
            payment_reference(year=today.year, township_id=township.pk, case_id=case.pk)
            if fined and collection == Collection.BANK
            else ""
        ),
        certificates_shown=certificates_shown,
        party_signed=party_signed,
        refusal_note="" if party_signed else refusal_note.strip(),
        decided_by=actor,
    )
    decision.full_clean(exclude=["case", "party"])
    decision.save()
    _refresh_summary(case)
    if lead is not None:
        from .leads import lead_conclude

        lead_conclude(lead, "lead_file", actor=actor, reason=_("Decided on the spot"), data={"case": case.pk})
    CASES.record(
        case,
        CASES["case_decide_on_spot"].event,
        actor=actor,
        to_state=case.state,
        data={"number": number, "officers": [str(o) for o in officers], "item": power_item.full_code},
        audit_obj=case,
        after={**snapshot(decision, DECISION_AUDIT_FIELDS), "officers": [o.pk for o in officers],
               "party": the_party.name},
    )  # fmt: skip
    usage_record(item=power_item.pk, township=township.pk, case_id=case.pk, kind="used", day=today)
    return case


def _decision(case: Case) -> OnSpotDecision:
    return OnSpotDecision.objects.select_for_update().get(case=case)


@transaction.atomic
def case_serve_on_spot(*, case: Case, actor: User, expected_version: int, today: datetime.date | None = None) -> Case:
    """The decision is handed to the party on the spot (APL Art. 52). A fine paid at the bank is
    due within 15 days of today (Art. 67): the deadline starts."""
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    CASES.check("case_serve_on_spot", case.state, procedure=case.procedure)
    decision = _decision(case)
    now = timezone.now()
    OnSpotDecision.objects.filter(pk=decision.pk).update(served_at=now)
    due = None
    if decision.is_fine and decision.collection == Collection.BANK:
        due = rules.apl_67_payment_deadline(today)
    transition(case, "case_serve_on_spot", table=CASES, actor=actor,
               data={"payment_due": due.isoformat()} if due else None)  # fmt: skip
    if due is not None:
        deadline_open(kind=DeadlineKind.PAYMENT, township_id=case.township_id, case=case, starts_on=today, due_on=due)
    return case


@transaction.atomic
def case_execute_on_spot(
    *,
    case: Case,
    actor: User,
    expected_version: int,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    receipt_number: str,
    today: datetime.date | None = None,
) -> OnSpotPayment:
    """Record the payment of the on-the-spot fine (APL Arts. 67-70). Cash is taken only when the
    decision collects on the spot, and must reach the office within 2 working days (Art. 71): that
    deadline starts; a bank payment meets the 15-day payment deadline."""
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    CASES.check("case_execute_on_spot", case.state, procedure=case.procedure)
    decision = _decision(case)
    if not decision.is_fine:
        raise RuleViolation(_("A warning has nothing to pay."), rule="payment_matches_fine")
    fine, collection = decision.amount, decision.collection
    assert fine is not None
    check_all(
        ("amount", lambda: rules.payment_matches_fine(amount, fine)),
        ("method", lambda: rules.apl_68_cash_only_when_collected_on_spot(method=method, collection=collection)),
        ("receipt_number", lambda: rules.apl_70_receipt_number(receipt_number)),
        ("paid_on", lambda: rules.not_in_future(paid_on, today=today, label=_("The payment date"))),
    )  # fmt: skip
    cash = method == PaymentMethod.CASH
    payment = OnSpotPayment(
        case=case,
        amount=amount,
        paid_on=paid_on,
        method=method,
        receipt_number=receipt_number.strip(),
        handover_due=rules.apl_71_cash_handover_deadline(paid_on) if cash else None,
        recorded_by=actor,
    )
    payment.full_clean(exclude=["case"])
    payment.save()
    transition(case, "case_execute_on_spot", table=CASES, actor=actor,
               data={"amount": str(amount), "method": method, "receipt": payment.receipt_number},
               audit={"amount": str(amount), "method": method, "receipt_number": payment.receipt_number})  # fmt: skip
    for deadline in Deadline.objects.filter(case=case, kind=DeadlineKind.PAYMENT, status=DeadlineStatus.OPEN):
        deadline_close(deadline, met_on=paid_on)
    if cash:
        assert payment.handover_due is not None
        deadline_open(kind=DeadlineKind.CASH_HANDOVER, township_id=case.township_id, case=case, starts_on=paid_on,
                      due_on=payment.handover_due, working_days=True)  # fmt: skip
    return payment


@transaction.atomic
def case_hand_over_cash(
    *, case: Case, actor: User, handed_over_on: datetime.date, today: datetime.date | None = None
) -> OnSpotPayment:
    """The cash collected on the spot reached the office (APL Art. 71): the deadline is met (late
    if after its day, which the case page then shows)."""
    today = local_today(today)
    case = CASES.lock(case)
    require(actor, "change", case)
    payment = OnSpotPayment.objects.select_for_update().filter(case=case).first()
    if payment is None or payment.method != PaymentMethod.CASH or payment.handed_over_on is not None:
        raise RuleViolation(_("There is no cash of this case left to hand over."), rule="cash_handover_pending")
    rules.not_in_future(handed_over_on, today=today, label=_("The handover date"))
    if handed_over_on < payment.paid_on:
        raise RuleViolation(_("Cash is handed over after it was collected."), rule="cash_handover_pending")
    OnSpotPayment.objects.filter(pk=payment.pk).update(handed_over_on=handed_over_on)
    payment.handed_over_on = handed_over_on
    for deadline in Deadline.objects.filter(case=case, kind=DeadlineKind.CASH_HANDOVER, status=DeadlineStatus.OPEN):
        deadline_close(deadline, met_on=handed_over_on)
    due = payment.handover_due.isoformat() if payment.handover_due else None
    CASES.record(case, "case.cash_handed_over", actor=actor, data={"on": handed_over_on.isoformat()},
                 audit_obj=payment, after={"handed_over_on": handed_over_on.isoformat(), "due": due})  # fmt: skip
    return payment


@transaction.atomic
def case_file_for_record(*, case: Case, actor: User, expected_version: int, note: str = "") -> Case:
    """The handling officers file the on-the-spot decision for the record with their office
    (备案, APL Art. 52): a fine once its payment is recorded."""
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "change", case)
    CASES.check("case_file_for_record", case.state, procedure=case.procedure)
    decision = _decision(case)
    rules.simple_record_after_payment(is_fine=decision.is_fine, paid=OnSpotPayment.objects.filter(case=case).exists())
    OnSpotDecision.objects.filter(pk=decision.pk).update(filed_for_record_at=timezone.now(), filed_for_record_by=actor)
    transition(case, "case_file_for_record", table=CASES, actor=actor, note=note)
    return case


@transaction.atomic
def case_archive(
    *, case: Case, actor: User, expected_version: int, note: str = "", today: datetime.date | None = None
) -> Case:
    """The office head archives the case (归档, APL Art. 47): a closed case of the general
    procedure or an on-the-spot decision filed for the record, with nothing left open. The
    archive is its last change: from then on the database refuses any change to its file."""
    today = local_today(today)
    case = CASES.lock(case, expected_version=expected_version)
    require(actor, "approve", case)
    rules.approved_by_office_head(actor, case.township)
    CASES.check("case_archive", case.state, procedure=case.procedure)
    open_rows = Deadline.objects.filter(case=case, status=DeadlineStatus.OPEN)
    rules.archive_nothing_open([f"{d.get_kind_display()} ({d.due_on.isoformat()})" for d in open_rows])
    transition(case, "case_archive", table=CASES, actor=actor, note=note, final=True)
    return case
