"""The proposal of the investigation-end report as the law checks it: the outcome and its ground,
the penalties of APL Art. 9 with their amounts, the discretion band chosen and pinned (APL Arts.
34, 37), the reasons; the suggestions shown beside the form; and what later steps read from it
(the hearing grounds, the fine, "never heavier")."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import rules, services
from cases.choices import CaseState, EvidenceKind
from cases.models import Case, CaseEvent, InvestigationReport, Proposal, ProposalLine
from cases.services import PenaltyLineDraft as Line
from cases.services import ProposalDraft
from pengjiang_enforcement.exceptions import RuleViolations
from pengjiang_enforcement.models import AuditLog
from powers.models import DiscretionBand
from powers.standards import discretion_standard_create, leniency_entry_add

from .factories import (
    WARNING_FORM,
    item_for,
    make_filed_case,
    person_values,
    refused,
    today,
    warning_proposal,
)

pytestmark = pytest.mark.django_db

D = datetime.date
SINCE_2020 = D(2020, 1, 1)
REASONS = "当事人占道摆卖，经责令后改正，情节一般。"


def _ready(case, officer, serial: int = 9):
    """A case whose investigation may end: a party and one piece of evidence."""
    services.party_add(case=case, actor=officer, **person_values(serial=serial))
    services.evidence_add(
        case=case, actor=officer, kind=EvidenceKind.DOCUMENTARY, title="现场照片", collected_on=today()
    )
    case.refresh_from_db()
    return case


def _close(case, officer, proposal: ProposalDraft):
    case.refresh_from_db()
    return services.case_close_investigation(
        case=case,
        actor=officer,
        expected_version=case.version,
        facts_found="当事人占道摆卖属实",
        evidence_summary="现场照片",
        violated_provision="条例第十四条",
        proposal=proposal,
    )


def _penalty(*lines: Line, band: DiscretionBand | None = None, reasons: str = REASONS) -> ProposalDraft:
    return ProposalDraft(outcome="penalty", reasons=reasons, lines=tuple(lines), band=band)


def _standard(item, low: str, high: str, *, since: datetime.date = SINCE_2020):
    """A discretion standard of ``item`` with a 轻微 band (warning, no fine) and a 一般 band."""
    return discretion_standard_create(
        actor=None,
        item=item,
        bands=[
            {"level": "minor", "conditions": "初次且当场改正", "measures": "警告"},
            {"level": "general", "conditions": "一般情节", "fine_min": low, "fine_max": high},
        ],
        effective_from=since,
        backfill=True,
    )


def _band(standard, level: str = "general") -> DiscretionBand:
    return standard.bands.get(level=level)


@pytest.fixture
def ready(filed_case, duruan_officer):
    return _ready(filed_case, duruan_officer)


def _nothing_written(case) -> None:
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING
    assert not InvestigationReport.objects.filter(case=case).exists()
    assert not Proposal.objects.filter(case=case).exists()


# --- a proposal that passes: saved, pinned, traced --------------------------------------------


def test_a_fine_within_the_band_is_saved_with_the_band_pinned_and_traced(ready, duruan_officer, item):
    standard = _standard(item, "100", "300")
    band = _band(standard)
    report = _close(ready, duruan_officer, _penalty(Line("warning"), Line("fine", Decimal("200")), band=band))
    proposal = report.proposal
    assert proposal.case == ready and proposal.outcome == "penalty"
    assert proposal.standard == standard and proposal.band == band
    assert (proposal.band_level, proposal.band_fine_min, proposal.band_fine_max) == (
        "general",
        Decimal("100"),
        Decimal("300"),
    )
    assert [(line.kind, line.amount) for line in proposal.lines.order_by("sort_order")] == [
        ("warning", None),
        ("fine", Decimal("200.00")),
    ]
    event = CaseEvent.objects.get(case=ready, kind="case.investigation_closed")
    assert event.data["kinds"] == ["fine", "warning"] and event.data["fine"] == "200.00"
    assert event.data["standard_version"] == 1 and event.data["band"] == "general"
    audit = AuditLog.objects.filter(action="cases.case.investigation_closed", object_id=str(ready.pk)).get()
    lines = audit.after["proposal"]["lines"]
    assert {"kind": "fine", "amount": "200.00", "detail": ""} in lines
    # the copy is what was read: a later edit of the band row does not change the proposal
    DiscretionBand.objects.filter(pk=band.pk).update(fine_max=Decimal("250"))
    proposal.refresh_from_db()
    assert proposal.band_fine_max == Decimal("300")


@pytest.mark.parametrize(
    "draft",
    [
        ProposalDraft(outcome="no_penalty", no_penalty_ground="first_violation", reasons="初次违法，已改正。"),
        ProposalDraft(outcome="no_penalty", no_penalty_ground="under_14", reasons="当事人未满十四周岁。"),
        ProposalDraft(outcome="not_established", reasons="现场照片不能证明摆卖行为。"),
        ProposalDraft(
            outcome="transfer", transfer_kind="crime", transfer_to="江门市公安局蓬江分局", reasons="涉嫌犯罪。"
        ),
        ProposalDraft(
            outcome="transfer",
            transfer_kind="jurisdiction",
            transfer_to="蓬江区市场监督管理局",
            reasons="不属本机关管辖。",
        ),
    ],
)
def test_the_outcomes_other_than_a_penalty_are_saved_without_lines(ready, duruan_officer, item, draft):
    _standard(item, "100", "300")  # a standard does not ask a band of a proposal not to penalise
    proposal = _close(ready, duruan_officer, draft).proposal
    assert proposal.outcome == draft.outcome and not proposal.lines.exists() and proposal.band is None
    assert proposal.is_complete


# --- each rule refuses, and nothing is written ------------------------------------------------


def test_proposal_reasons_are_required(ready, duruan_officer):
    refused("proposal_reasons", lambda: _close(ready, duruan_officer, warning_proposal(reasons="  ")))
    _nothing_written(ready)


def test_apl_33_no_penalty_ground_is_named_and_only_for_no_penalty(ready, duruan_officer):
    refused("apl_33_no_penalty_ground", lambda: _close(ready, duruan_officer, ProposalDraft("no_penalty", REASONS)))
    with_ground = warning_proposal(no_penalty_ground="no_fault")
    refused("apl_33_no_penalty_ground", lambda: _close(ready, duruan_officer, with_ground))
    _nothing_written(ready)


def test_proposal_transfer_names_why_and_to_whom(ready, duruan_officer):
    no_receiver = ProposalDraft("transfer", REASONS, transfer_kind="crime")
    refused("proposal_transfer", lambda: _close(ready, duruan_officer, no_receiver))
    no_kind = ProposalDraft("transfer", REASONS, transfer_to="公安机关")
    refused("proposal_transfer", lambda: _close(ready, duruan_officer, no_kind))
    stray = warning_proposal(transfer_kind="crime", transfer_to="公安机关")
    refused("proposal_transfer", lambda: _close(ready, duruan_officer, stray))
    _nothing_written(ready)


def test_proposal_penalty_lines_a_penalty_names_one_and_other_outcomes_none(ready, duruan_officer):
    refused("proposal_penalty_lines", lambda: _close(ready, duruan_officer, _penalty()))
    stray = ProposalDraft("not_established", REASONS, lines=(Line("warning"),))
    refused("proposal_penalty_lines", lambda: _close(ready, duruan_officer, stray))
    _nothing_written(ready)


def test_apl_9_penalty_kind_administrative_detention_is_never_proposed(ready, duruan_officer):
    violation = refused("apl_9_penalty_kind", lambda: _close(ready, duruan_officer, _penalty(Line("detention"))))
    assert "Art. 9" in str(violation.messages) or "第九条" in str(violation.messages)
    _nothing_written(ready)


def test_penalty_kind_of_item_only_the_kinds_its_basis_provides(ready, duruan_officer):
    # the test item provides a warning and a fine
    violation = refused("penalty_kind_of_item", lambda: _close(ready, duruan_officer, _penalty(Line("revoke_licence"))))
    assert ready.power_item.full_code in violation.messages[0]
    _nothing_written(ready)


def test_apl_29_kind_once_one_fine_for_one_act(ready, duruan_officer):
    twice = _penalty(Line("fine", Decimal("100")), Line("fine", Decimal("200")))
    violation = refused("apl_29_kind_once", lambda: _close(ready, duruan_officer, twice))
    assert "第二十九条" in violation.messages[0]
    refused("apl_29_kind_once", lambda: _close(ready, duruan_officer, _penalty(Line("warning"), Line("warning"))))
    _nothing_written(ready)


def test_penalty_amount_required_for_a_fine(ready, duruan_officer):
    refused("penalty_amount_required", lambda: _close(ready, duruan_officer, _penalty(Line("fine"))))
    _nothing_written(ready)


def test_penalty_amount_not_applicable_to_a_warning(ready, duruan_officer):
    with_amount = _penalty(Line("warning", Decimal("50")))
    refused("penalty_amount_not_applicable", lambda: _close(ready, duruan_officer, with_amount))
    _nothing_written(ready)


@pytest.mark.parametrize("amount", ["-100", "0", "0.001"])
def test_penalty_amount_positive_negative_zero_and_fractions_of_a_fen_refused(ready, duruan_officer, amount):
    draft = _penalty(Line("fine", Decimal(amount)))
    refused("penalty_amount_positive", lambda: _close(ready, duruan_officer, draft))
    _nothing_written(ready)


def test_penalty_other_detail_an_other_penalty_is_described(duruan_officer, duruan_colleague, duruan_head):
    item = item_for(penalty_types=["other"])
    case = _ready(make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item), duruan_officer)
    refused("penalty_other_detail", lambda: _close(case, duruan_officer, _penalty(Line("other"))))
    _nothing_written(case)
    described = _penalty(Line("other", detail="依《某条例》第十条责令拆除"))
    assert _close(case, duruan_officer, described).proposal.lines.get().detail == "依《某条例》第十条责令拆除"


def test_discretion_band_chosen_when_the_item_has_a_standard(ready, duruan_officer, item):
    standard = _standard(item, "100", "300")
    refused("discretion_band_chosen", lambda: _close(ready, duruan_officer, warning_proposal()))
    stray = ProposalDraft("not_established", REASONS, band=_band(standard))
    refused("discretion_band_chosen", lambda: _close(ready, duruan_officer, stray))
    _nothing_written(ready)


def test_fine_within_band_the_message_names_the_range_and_the_rule(ready, duruan_officer, item):
    band = _band(_standard(item, "100", "300"))
    for amount in ("99.99", "300.01"):
        draft = _penalty(Line("fine", Decimal(amount)), band=band)
        violation = refused("fine_within_band", lambda draft=draft: _close(ready, duruan_officer, draft))
        assert "100.00–300.00" in violation.messages[0] and "第三十四条" in violation.messages[0]
    _nothing_written(ready)
    # the bounds themselves are within the band
    assert _close(ready, duruan_officer, _penalty(Line("fine", Decimal("300")), band=band)).proposal.fine_total() == 300


def test_fine_within_statutory_range_of_the_item(ready, duruan_officer):
    # the test item: 0–500 yuan, no discretion standard
    violation = refused(
        "fine_within_statutory_range", lambda: _close(ready, duruan_officer, _penalty(Line("fine", Decimal("501"))))
    )
    assert "0.00–500.00" in violation.messages[0]
    _nothing_written(ready)


def test_every_problem_of_a_proposal_is_reported_at_once(ready, duruan_officer):
    draft = ProposalDraft("penalty", "", lines=(Line("fine"), Line("warning", Decimal("5"))))
    with pytest.raises(RuleViolations) as exc:
        _close(ready, duruan_officer, draft)
    rules_fired = {v.rule for v in exc.value.violations}
    assert {"proposal_reasons", "penalty_amount_required", "penalty_amount_not_applicable"} <= rules_fired


# --- APL Art. 37: which date's standard ---------------------------------------------------------


def test_apl_37_discretion_standard_of_the_act_date_applies_a_later_one_only_when_lighter(ready, duruan_officer, item):
    """The decision documented in ``services.proposals.applicable_standards``: the standard in
    force on the act's date applies (从旧); one in force since (on the day of the proposal) may be
    chosen only where its band is lighter (兼从轻); a standard of neither date is refused."""
    assert ready.act_date < today()
    old = _standard(item, "100", "300")
    heavier = _standard(item, "200", "400", since=today())
    fine = Line("fine", Decimal("250"))
    violation = refused(
        "apl_37_discretion_standard", lambda: _close(ready, duruan_officer, _penalty(fine, band=_band(heavier)))
    )
    assert "第 2 版" in violation.messages[0] and "第 1 版" in violation.messages[0]
    _nothing_written(ready)
    proposal = _close(ready, duruan_officer, _penalty(fine, band=_band(old))).proposal
    assert proposal.standard == old


def test_apl_37_discretion_standard_a_lighter_later_standard_may_be_chosen(
    duruan_officer, duruan_colleague, duruan_head
):
    item = item_for()
    old = _standard(item, "100", "300")
    lighter = _standard(item, "50", "200", since=today())
    case = _ready(make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item), duruan_officer)
    proposal = _close(case, duruan_officer, _penalty(Line("fine", Decimal("60")), band=_band(lighter))).proposal
    assert proposal.standard == lighter and proposal.band_fine_max == Decimal("200")
    assert old.effective_from <= case.act_date < lighter.effective_from


def test_apl_37_discretion_standard_of_neither_date_is_refused(duruan_officer, duruan_colleague, duruan_head):
    item = item_for()
    first = _standard(item, "100", "300")
    _standard(item, "100", "250", since=D(2021, 1, 1))
    case = _ready(make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item), duruan_officer)
    refused(
        "apl_37_discretion_standard",
        lambda: _close(case, duruan_officer, _penalty(Line("fine", Decimal("150")), band=_band(first))),
    )
    _nothing_written(case)


def test_a_continuing_act_is_judged_by_the_standard_of_its_end(duruan_officer, duruan_colleague, duruan_head):
    item = item_for()
    case = make_filed_case(
        duruan_officer,
        duruan_colleague,
        duruan_head,
        item=item,
        act_date=today() - datetime.timedelta(days=30),
        act_continuing=True,
        act_end_date=today() - datetime.timedelta(days=3),
    )
    assert services.proposals.act_day(case) == today() - datetime.timedelta(days=3)


# --- what later steps read ----------------------------------------------------------------------


def _saved(*lines: Line, outcome: str = "penalty") -> Proposal:
    """An unsaved proposal with its lines in memory (the helpers read ``line_list``)."""
    proposal = Proposal(outcome=outcome, reasons=REASONS)
    proposal.line_list = [ProposalLine(kind=line.kind, amount=line.amount, detail=line.detail) for line in lines]
    return proposal


def test_is_heavier_than_a_kind_added_or_an_amount_raised():
    notified = _saved(Line("warning"), Line("fine", Decimal("300")))
    assert _saved(Line("warning"), Line("fine", Decimal("300.01"))).is_heavier_than(notified)  # raised
    assert _saved(Line("fine", Decimal("300")), Line("suspend_business")).is_heavier_than(notified)  # added
    assert not _saved(Line("fine", Decimal("200"))).is_heavier_than(notified)  # fewer, lower
    assert not _saved(Line("warning"), Line("fine", Decimal("300"))).is_heavier_than(notified)  # the same
    none = _saved(outcome="no_penalty")
    assert _saved(Line("warning")).is_heavier_than(none) and not none.is_heavier_than(notified)
    other = _saved(Line("other", detail="责令拆除"))
    assert _saved(Line("other", detail="责令拆除并恢复原状")).is_heavier_than(other)
    assert not _saved(Line("other", detail="责令拆除")).is_heavier_than(other)


def test_kinds_fine_total_and_hearing_grounds():
    proposal = _saved(Line("warning"), Line("fine", Decimal("5000")), Line("confiscate_gains", Decimal("800")))
    assert proposal.kinds() == {"warning", "fine", "confiscate_gains"}
    assert proposal.fine_total() == Decimal("5000")
    assert proposal.hearing_grounds(threshold=Decimal("5000")) == ["fine"]  # 较大数额: from the threshold on
    assert proposal.hearing_grounds(threshold=Decimal("100000")) == []
    assert _saved(Line("revoke_licence")).hearing_grounds(threshold=Decimal("5000")) == ["revoke_licence"]
    assert _saved(Line("warning")).fine_total() == 0


def test_the_first_violation_warning_names_the_earlier_cases():
    assert rules.first_violation_earlier_cases_warning("first_violation", 2)
    assert rules.first_violation_earlier_cases_warning("first_violation", 0) is None
    assert rules.first_violation_earlier_cases_warning("minor_corrected", 2) is None


# --- the data migration ---------------------------------------------------------------------------


def test_the_migration_carries_free_text_proposals_over(ready, duruan_officer):
    carry_over = import_module("cases.migrations.0116_proposal_models").carry_over_proposals
    old = {"no_penalty_first": "首违，已改正。", "transfer_judicial": "", "penalty": "建议罚款200元。"}
    reports = {}
    for choice, detail in old.items():
        report = InvestigationReport.objects.create(
            case=ready,
            facts_found="事实",
            evidence_summary="证据",
            violated_provision="条款",
            circumstances="初次违法",
            submitted_by=duruan_officer,
            submitted_at=timezone.now(),
        )
        reports[choice] = SimpleNamespace(
            pk=report.pk,
            case_id=ready.pk,
            proposal=choice,
            proposal_detail=detail,
            circumstances="初次违法",
            submitted_by_id=duruan_officer.pk,
        )

    class Rows:
        @staticmethod
        def order_by(*_):
            return SimpleNamespace(iterator=lambda chunk_size: iter(reports.values()))

    models = {"InvestigationReport": SimpleNamespace(objects=Rows()), "Proposal": Proposal}
    carry_over(SimpleNamespace(get_model=lambda app, name: models[name]), None)
    first = Proposal.objects.get(report_id=reports["no_penalty_first"].pk)
    assert (first.outcome, first.no_penalty_ground, first.reasons, first.migrated) == (
        "no_penalty",
        "first_violation",
        "首违，已改正。",
        True,
    )
    transfer = Proposal.objects.get(report_id=reports["transfer_judicial"].pk)
    assert (transfer.outcome, transfer.transfer_kind, transfer.reasons) == ("transfer", "crime", "初次违法")
    penalty = Proposal.objects.get(report_id=reports["penalty"].pk)
    assert penalty.outcome == "penalty" and penalty.reasons == "建议罚款200元。" and not penalty.is_complete


# --- the pages ---------------------------------------------------------------------------------------


def _report_form(**fields):
    return {
        "facts_found": "当事人占道摆卖属实",
        "evidence_summary": "现场照片",
        "violated_provision": "条例第十四条",
        **WARNING_FORM,
        **fields,
    }


def test_the_form_shows_list_entries_and_earlier_cases_as_suggestions_only(
    ready, duruan_officer, duruan_colleague, duruan_head, item, login
):
    leniency_entry_add(
        actor=None,
        item=item,
        kind="no_penalty",
        circumstances="首次占道摆卖且当场改正",
        basis="《行政处罚法》第三十三条第一款",
        effective_from=D(2020, 1, 1),
        backfill=True,
    )
    earlier = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item)
    services.party_add(case=earlier, actor=duruan_officer, **person_values(serial=9))  # the same person
    body = login(duruan_officer).get(f"/cases/{ready.pk}/close-investigation/").content.decode()
    assert "首次占道摆卖且当场改正" in body and "《行政处罚法》第三十三条第一款" in body
    assert earlier.number in body and 'data-testid="earlier-cases"' in body
    assert 'style="' not in body
    # nothing was applied: the outcome is not chosen for the officer
    assert not re.search(r'<input[^>]*name="outcome"[^>]*checked', body)


def test_the_report_posted_in_the_browser_shows_the_pinned_band_and_reasons_on_the_case_page(
    ready, duruan_officer, item, login
):
    band = _band(_standard(item, "100", "300"))
    client = login(duruan_officer)
    ready.refresh_from_db()
    data = _report_form(
        version=ready.version,
        reasons="占道约6平方米，经责令后改正，按一般情节处罚。",
        band=band.pk,
        **{"line-1-kind": "fine", "line-1-amount": "200"},
    )
    response = client.post(f"/cases/{ready.pk}/close-investigation/", data)
    assert response.status_code == 302
    page = client.get(f"/cases/{ready.pk}/").content.decode()
    section = page.split('id="report"')[1].split("</section>")[0]
    assert 'data-testid="proposal-band"' in section and "v1" in section and "100" in section and "300" in section
    assert "占道约6平方米，经责令后改正，按一般情节处罚。" in section and "一般情节" in section
    assert "200" in section


def test_a_refused_fine_is_shown_on_the_form_and_nothing_is_saved(ready, duruan_officer, item, login):
    band = _band(_standard(item, "100", "300"))
    client = login(duruan_officer)
    ready.refresh_from_db()
    data = _report_form(version=ready.version, band=band.pk, **{"line-1-kind": "fine", "line-1-amount": "400"})
    response = client.post(f"/cases/{ready.pk}/close-investigation/", data)
    body = response.content.decode()
    assert response.status_code == 200 and "100.00–300.00" in body
    _nothing_written(ready)


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# The case page of a closed investigation: the same count as before the proposal was structured
# (the proposal, its standard and its lines come with the reports' query).
CLOSED_CASE_PAGE_QUERIES = 25


def test_case_page_query_count_with_a_proposal_does_not_grow_with_its_lines(
    duruan_officer, duruan_colleague, duruan_head, login
):
    client = login(duruan_officer)
    item = item_for(penalty_types=["warning", "fine", "confiscate_gains", "other"])
    band = _band(_standard(item, "100", "300"))
    one = _ready(make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item), duruan_officer, 1)
    _close(one, duruan_officer, _penalty(Line("warning"), band=band))
    many = _ready(make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item), duruan_officer, 2)
    lines = (
        Line("warning"),
        Line("fine", Decimal("150")),
        Line("confiscate_gains", Decimal("80")),
        Line("other", detail="其他"),
    )
    _close(many, duruan_officer, _penalty(*lines, band=band))
    few_count, many_count = _queries(client, f"/cases/{one.pk}/"), _queries(client, f"/cases/{many.pk}/")
    assert few_count == many_count == CLOSED_CASE_PAGE_QUERIES, (few_count, many_count)
    assert Case.objects.get(pk=many.pk).state == CaseState.INVESTIGATION_CLOSED


def test_a_line_with_an_amount_but_no_penalty_is_not_dropped(ready, duruan_officer, login):
    client = login(duruan_officer)
    ready.refresh_from_db()
    data = _report_form(version=ready.version, **{"line-1-amount": "200"})
    response = client.post(f"/cases/{ready.pk}/close-investigation/", data)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    _nothing_written(ready)
