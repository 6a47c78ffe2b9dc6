"""A refused form shows every rule it breaks at once, each beside its field."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Case, Lead
from pengjiang_enforcement.exceptions import RuleViolations

from .factories import make_lead, person_values, today

pytestmark = pytest.mark.django_db


def test_lead_form_shows_every_refused_rule_at_once(duruan_officer, login):
    """A 12345 lead without its work-order number, discovered tomorrow: both are said together."""
    response = login(duruan_officer).post(
        "/leads/new/",
        {
            "source": "hotline_12345",
            "discovered_on": (today() + datetime.timedelta(days=1)).isoformat(),
            "place": "杜阮北路",
            "description": "占道摆卖",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "discovered_on" in errors and "hotline_order_no" in errors, errors
    assert not Lead.objects.exists()


def test_filing_form_shows_every_refused_rule_at_once(duruan_officer, item, login):
    """An act after its discovery and a single officer: both rules, at their fields."""
    lead = make_lead(duruan_officer)
    response = login(duruan_officer).post(
        f"/leads/{lead.pk}/file/",
        {
            "version": lead.version,
            "act_date": today().isoformat(),
            "power_item": item.pk,
            "title": "独自立案",
            "facts": "事实经过",
            "place": "杜阮",
            "lead_officer": duruan_officer.pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "act_date" in errors and "lead_officer" in errors, errors
    assert "第四十二条" in errors["lead_officer"][0]
    assert not Case.objects.exists()


def test_a_group_of_violations_keeps_each_rule(duruan_officer, item):
    from cases import services

    lead = make_lead(duruan_officer)
    with pytest.raises(RuleViolations) as refused:
        services.case_request_filing(
            lead=lead,
            actor=duruan_officer,
            power_item=item,
            title="独自立案",
            facts="事实经过",
            place="杜阮",
            act_date=today(),
            lead_officer=duruan_officer,
            co_officers=[],
        )
    assert [v.rule for v in refused.value.violations] == ["act_dates_consistent", "apl_42_two_officers"]
    assert refused.value.rule == "act_dates_consistent"


def test_a_wrong_identity_number_stands_beside_its_field(filed_case, duruan_officer, login):
    good = person_values()["id_number"]
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")  # the check character is wrong
    values = person_values(id_number=wrong)
    response = login(duruan_officer).post(f"/cases/{filed_case.pk}/parties/add/", values)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get("id_number") and not form.non_field_errors(), form.errors
