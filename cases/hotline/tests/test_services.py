"""What people do with a work order: the state machine, requests and decisions, triage, leads,
repeats and the catalogue item."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases.choices import LeadSource, LeadStatus
from cases.hotline import services
from cases.hotline.choices import OrderState, RequestKind, RequestStatus
from cases.hotline.models import HotlineEvent, HotlineOrder, HotlineRequest, HotlineSource
from cases.hotline.selectors import order_links, suggest_items
from cases.hotline.workflow import ORDERS
from cases.models import Lead
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import AuditLog, Unit
from powers.tests.factories import make_item

from . import support

pytestmark = pytest.mark.django_db
make_orders = support.make_orders  # the fixture


@pytest.fixture
def order(make_orders):
    return make_orders()[0]


def test_the_state_machine_names_every_state():
    targets = {t.target for t in ORDERS if t.target} | {s for t in ORDERS for s in t.sources}
    assert targets == set(OrderState.values)


def test_accept_then_final_reply_closes_the_hotline_clock(order, duruan_officer):
    services.order_accept(order=order, actor=duruan_officer)
    services.order_interim_reply(order=order, actor=duruan_officer, text="已安排执法队员现场核查。")
    replied = services.order_reply(order=order, actor=duruan_officer, text="经现场核查，商户已清理占道物品。")
    assert replied.state == OrderState.REPLIED and replied.replied_by == duruan_officer
    assert [r.kind for r in replied.replies.order_by("id")] == ["interim", "final"]
    kinds = list(HotlineEvent.objects.filter(order=order).order_by("id").values_list("kind", flat=True))
    assert kinds == ["accepted", "interim_replied", "replied"]
    assert AuditLog.objects.filter(action="cases.workorder.replied", object_id=str(order.pk)).exists()


def test_out_of_order_steps_are_refused_with_the_rule(order, duruan_officer):
    with pytest.raises(RuleViolation) as refused:
        services.order_reply(order=order, actor=duruan_officer, text="答复")
    assert refused.value.rule == "hotline_transition_order"
    services.order_accept(order=order, actor=duruan_officer)
    with pytest.raises(RuleViolation):
        services.order_accept(order=order, actor=duruan_officer)
    with pytest.raises(RuleViolation) as empty:
        services.order_reply(order=order, actor=duruan_officer, text="  ")
    assert empty.value.rule == "hotline_reply_text"


def test_a_stale_version_is_a_conflict(order, duruan_officer):
    version = order.version
    services.order_accept(order=order, actor=duruan_officer)
    with pytest.raises(RuleViolation) as conflict:
        services.order_reply(order=order, actor=duruan_officer, text="答复", expected_version=version)
    assert conflict.value.rule == "edit_conflict"


def test_extension_approved_by_the_office_head_moves_the_deadline(order, duruan_officer, duruan_head):
    services.order_accept(order=order, actor=duruan_officer)
    order.refresh_from_db()
    later = order.due_on + datetime.timedelta(days=10)
    with pytest.raises(RuleViolation) as earlier:
        services.order_request_extension(order=order, actor=duruan_officer, reason="需检测", due_on=order.due_on)
    assert earlier.value.rule == "hotline_extension_later"
    with pytest.raises(RuleViolation) as both:  # no reason and no later day: both said at once
        services.order_request_extension(order=order, actor=duruan_officer, reason=" ", due_on=order.due_on)
    assert [v.rule for v in both.value.violations] == ["hotline_request_reason", "hotline_extension_later"]
    assert [v.field for v in both.value.violations] == ["reason", "due_on"]
    request = services.order_request_extension(order=order, actor=duruan_officer, reason="需第三方检测", due_on=later)
    order.refresh_from_db()
    assert order.state == OrderState.EXTENSION_REQUESTED
    with pytest.raises(RuleViolation) as pending:  # one pending request per order
        services.order_request_return(order=order, actor=duruan_officer, reason="x")
    assert pending.value.rule == "hotline_transition_order"
    services.order_decide_request(request=request, actor=duruan_head, approve=True)
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
    assert order.due_on == order.extended_due_on == later and order.base_due_on < later


def test_refusing_needs_a_reason_and_whoever_asked_does_not_decide(order, duruan_head, duruan_officer):
    services.order_accept(order=order, actor=duruan_head)
    request = services.order_request_return(order=order, actor=duruan_head, reason="属于市场监管职责")
    with pytest.raises(RuleViolation) as own:
        services.order_decide_request(request=request, actor=duruan_head, approve=True)
    assert own.value.rule == "hotline_request_four_eyes"
    with pytest.raises(PermissionDenied):  # officers do not decide
        services.order_decide_request(request=request, actor=duruan_officer, approve=False, note="x")


def test_a_return_approved_closes_the_order_for_the_township(order, duruan_officer, duruan_head):
    request = services.order_request_return(order=order, actor=duruan_officer, reason="不属本镇街职权，属市场监管事项")
    with pytest.raises(RuleViolation) as no_reason:
        services.order_decide_request(request=request, actor=duruan_head, approve=False)
    assert no_reason.value.rule == "hotline_refusal_reason"
    services.order_decide_request(request=request, actor=duruan_head, approve=True)
    order.refresh_from_db()
    request.refresh_from_db()
    assert order.state == OrderState.RETURNED and order.return_reason.startswith("不属本镇街")
    assert request.status == RequestStatus.APPROVED and request.kind == RequestKind.RETURN


def test_a_refused_return_puts_the_order_in_hand(order, duruan_officer, duruan_head):
    request = services.order_request_return(order=order, actor=duruan_officer, reason="不属本镇街")
    services.order_decide_request(request=request, actor=duruan_head, approve=False, note="属于本镇街赋权事项，请办理")
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS and order.accepted_by == duruan_officer


def test_the_office_head_reopens_a_replied_order(order, duruan_officer, duruan_head):
    services.order_accept(order=order, actor=duruan_officer)
    services.order_reply(order=order, actor=duruan_officer, text="已处理")
    with pytest.raises(PermissionDenied):
        services.order_reopen(order=order, actor=duruan_officer, reason="市民不满意")
    services.order_reopen(order=order, actor=duruan_head, reason="市民不满意，热线退回重办")
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS and order.reply_text == "" and order.replied_at is None


def test_another_townships_officer_may_not_act(order, baisha_officer):
    with pytest.raises(PermissionDenied):
        services.order_accept(order=order, actor=baisha_officer)


def test_triage_district_admin_routes_office_head_claims_for_own_township_only(
    make_orders, district_admin, duruan_head, baisha_officer
):
    first, second, third = make_orders(3, unit="", body="地址：某处。事项：噪音。")
    assert first.in_triage
    services.order_route(order=first, actor=district_admin, township=Unit.objects.get(code="baisha"))
    first.refresh_from_db()
    assert first.township.code == "baisha" and first.route_method == "manual"
    with pytest.raises(RuleViolation) as other:
        services.order_route(order=second, actor=duruan_head, township=Unit.objects.get(code="baisha"))
    assert other.value.rule == "hotline_claim_own_township"
    services.order_route(order=second, actor=duruan_head, township=duruan_head.township)
    second.refresh_from_db()
    assert second.township.code == "duruan"
    with pytest.raises(PermissionDenied):  # officers do not triage
        services.order_route(order=third, actor=baisha_officer, township=baisha_officer.township)
    with pytest.raises(RuleViolation):  # sending back needs a reason
        services.order_route(order=second, actor=duruan_head, township=None)
    services.order_route(order=second, actor=duruan_head, township=None, reason="地址实为白沙街道")
    second.refresh_from_db()
    assert second.in_triage
    services.order_return_untriaged(order=third, actor=district_admin, reason="属江海区事项")
    third.refresh_from_db()
    assert third.state == OrderState.RETURNED and third.township is None


def test_convert_to_a_lead_in_one_step_linked_both_ways(order, duruan_officer):
    lead = services.order_convert_to_lead(order=order, actor=duruan_officer)
    order.refresh_from_db()
    assert order.lead == lead and order.state == OrderState.IN_PROGRESS  # accepted on the way
    assert lead.source == LeadSource.HOTLINE_12345 and lead.hotline_order_no == order.order_no
    assert lead.township == order.township and lead.status == LeadStatus.REGISTERED
    assert lead.discovered_on == timezone.localtime(order.received_at).date()
    assert lead.reporter_phone == "138****5678"
    assert list(lead.hotline_orders.all()) == [order]
    # the lead runs its own check clock; the order keeps its hotline clock
    assert lead.deadlines.filter(kind="lead_check", status="open").exists()
    assert order.due_on == order.base_due_on
    with pytest.raises(RuleViolation) as again:
        services.order_convert_to_lead(order=order, actor=duruan_officer)
    assert again.value.rule == "hotline_order_has_lead"


def test_an_existing_lead_with_the_number_is_linked_instead(order, duruan_officer):
    from cases.services import lead_register

    lead = lead_register(
        actor=duruan_officer,
        township=order.township,
        source=LeadSource.HOTLINE_12345,
        discovered_on=timezone.localdate(),
        place="杜阮北路",
        description="电话登记",
        hotline_order_no=order.order_no,
    )
    assert services.order_convert_to_lead(order=order, actor=duruan_officer) == lead
    assert Lead.objects.count() == 1


def test_repeats_share_an_address_and_matter_and_can_feed_one_lead(make_orders, duruan_officer):
    first, second = make_orders(2)
    other = make_orders(body="地址：江门市蓬江区杜阮镇杜阮北路99号。事项：噪音。")[0]
    assert first.repeat_key and first.repeat_key == second.repeat_key != other.repeat_key
    lead = services.order_convert_to_lead(order=first, actor=duruan_officer)
    links = order_links(duruan_officer, second)
    assert [o.pk for o in links.repeats] == [first.pk] and links.repeat_leads == [lead]
    services.order_link_to_lead(order=second, actor=duruan_officer, lead=lead)
    assert set(lead.hotline_orders.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Lead.objects.count() == 1


def test_cited_earlier_orders_are_linked_both_ways(make_orders, duruan_officer):
    earlier = make_orders()[0]
    later = make_orders(body=f"事项：市民表示此前工单{earlier.order_no}仍未解决。")[0]
    assert later.cited_order_nos == [earlier.order_no]
    assert [o.pk for o in order_links(duruan_officer, later).cites] == [earlier.pk]
    assert [o.pk for o in order_links(duruan_officer, earlier).cited_by] == [later.pk]


def test_catalogue_items_are_suggested_never_applied_and_chosen_only_if_delegated(order, duruan_officer):
    stall = make_item(
        townships=["duruan"], name="对擅自占用城市道路摆卖物品的行政处罚", effective_from=datetime.date(2020, 1, 1)
    )
    make_item(townships=["duruan"], name="对违法建设的行政处罚", effective_from=datetime.date(2020, 1, 1))
    elsewhere = make_item(
        townships=["baisha"], name="对占道摆卖水果的行政处罚", effective_from=datetime.date(2020, 1, 1)
    )
    suggestions = suggest_items(order)
    assert suggestions and suggestions[0].item == stall
    assert elsewhere not in [s.item for s in suggestions]  # not delegated to 杜阮
    assert "摆卖" in suggestions[0].shared
    order.refresh_from_db()
    assert order.power_item is None  # shown, never applied by itself
    services.order_choose_item(order=order, actor=duruan_officer, item=stall)
    order.refresh_from_db()
    assert order.power_item == stall
    with pytest.raises(RuleViolation) as not_delegated:
        services.order_choose_item(order=order, actor=duruan_officer, item=elsewhere)
    assert not_delegated.value.rule == "hotline_item_delegated"


def test_feed_tokens_are_stored_as_hashes_and_compared_in_constant_time(district_admin):
    source, token = services.source_create(actor=district_admin, name="江门12345平台")
    assert token not in {source.token_hash, source.key_id} and len(source.token_hash) == 64
    assert services.source_for_token(token) == source
    assert services.source_for_token(token + "x") is None
    assert services.source_for_token("nokey.secret") is None
    new = services.source_rotate(source=source, actor=district_admin)
    assert services.source_for_token(token) is None and services.source_for_token(new) == source
    services.source_set_active(source=source, actor=district_admin, active=False)
    assert services.source_for_token(new) is None


def test_hotline_order_unrouted(make_orders, district_admin, duruan_officer):
    """An order still in triage is routed before it becomes a lead or gets an item."""
    from cases.hotline.models import HotlineOrder

    order = make_orders()[0]
    HotlineOrder.objects.filter(pk=order.pk).update(township=None, route_method="none")
    order.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        services._township_of(order)
    assert refused.value.rule == "hotline_order_unrouted"


def test_hotline_request_reason(make_orders, duruan_officer, district_admin):
    extended, returned = make_orders(2)
    services.order_accept(order=extended, actor=duruan_officer)
    extended.refresh_from_db()
    later = extended.due_on + datetime.timedelta(days=10)
    with pytest.raises(RuleViolation) as exc:
        services.order_request_extension(order=extended, actor=duruan_officer, reason=" ", due_on=later)
    assert exc.value.rule == "hotline_request_reason"
    with pytest.raises(RuleViolation) as exc:
        services.order_request_return(order=returned, actor=duruan_officer, reason="")
    assert exc.value.rule == "hotline_request_reason"
    unplaced = make_orders(unit="", body="地址：某处。事项：噪音。")[0]
    with pytest.raises(RuleViolation) as exc:
        services.order_return_untriaged(order=unplaced, actor=district_admin, reason="  ")
    assert exc.value.rule == "hotline_request_reason"
    assert not HotlineRequest.objects.exists()
    assert {o.state for o in HotlineOrder.objects.all()} <= {OrderState.PENDING, OrderState.IN_PROGRESS}


def test_hotline_request_decided(order, duruan_officer, duruan_head):
    services.order_accept(order=order, actor=duruan_officer)
    order.refresh_from_db()
    later = order.due_on + datetime.timedelta(days=10)
    request = services.order_request_extension(order=order, actor=duruan_officer, reason="需检测", due_on=later)
    services.order_decide_request(request=request, actor=duruan_head, approve=False, note="可按期办结")
    with pytest.raises(RuleViolation) as exc:
        services.order_decide_request(request=request, actor=duruan_head, approve=True)
    assert exc.value.rule == "hotline_request_decided"
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == RequestStatus.REFUSED and order.due_on < later


def test_hotline_reopen_reason(order, duruan_officer, duruan_head):
    services.order_accept(order=order, actor=duruan_officer)
    services.order_reply(order=order, actor=duruan_officer, text="已处理")
    with pytest.raises(RuleViolation) as exc:
        services.order_reopen(order=order, actor=duruan_head, reason=" ")
    assert exc.value.rule == "hotline_reopen_reason"
    order.refresh_from_db()
    assert order.state == OrderState.REPLIED


def test_hotline_unroute_reason(order, duruan_head):
    """An office head who sends an order back to triage says why (routing by address can be wrong)."""
    with pytest.raises(RuleViolation) as exc:
        services.order_route(order=order, actor=duruan_head, township=None, reason="")
    assert exc.value.rule == "hotline_unroute_reason"
    order.refresh_from_db()
    assert order.township.code == "duruan"


def test_hotline_return_untriaged_only_for_an_order_no_township_holds(order, district_admin):
    with pytest.raises(RuleViolation) as exc:
        services.order_return_untriaged(order=order, actor=district_admin, reason="属江海区事项")
    assert exc.value.rule == "hotline_return_untriaged"
    order.refresh_from_db()
    assert order.state == OrderState.PENDING and order.township.code == "duruan"


def test_hotline_lead_other_township(make_orders, duruan_officer, baisha_officer):
    from cases.services import lead_register
    from cases.tests.factories import make_lead

    order, repeat = make_orders(2)
    elsewhere = lead_register(
        actor=baisha_officer,
        township=baisha_officer.township,
        source=LeadSource.HOTLINE_12345,
        discovered_on=timezone.localdate(),
        place="白沙大道",
        description="电话登记",
        hotline_order_no=order.order_no,
    )
    with pytest.raises(RuleViolation) as exc:
        services.order_convert_to_lead(order=order, actor=duruan_officer)
    assert exc.value.rule == "hotline_lead_other_township"
    with pytest.raises(RuleViolation) as exc:
        services.order_link_to_lead(order=repeat, actor=duruan_officer, lead=make_lead(baisha_officer))
    assert exc.value.rule == "hotline_lead_other_township"
    assert not HotlineOrder.objects.filter(lead__isnull=False).exists()
    assert Lead.objects.filter(township__code="duruan").count() == 0 and elsewhere.hotline_orders.count() == 0


def test_hotline_order_closed(order, duruan_officer, duruan_head):
    """A returned order is the hotline's again: the township no longer chooses its item."""
    item = make_item(townships=["duruan"], effective_from=datetime.date(2020, 1, 1))
    request = services.order_request_return(order=order, actor=duruan_officer, reason="不属本镇街职权")
    services.order_decide_request(request=request, actor=duruan_head, approve=True)
    with pytest.raises(RuleViolation) as exc:
        services.order_choose_item(order=order, actor=duruan_officer, item=item)
    assert exc.value.rule == "hotline_order_closed"
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED and order.power_item is None


def test_hotline_source_name_and_hotline_source_unique(district_admin):
    with pytest.raises(RuleViolation) as exc:
        services.source_create(actor=district_admin, name="  ")
    assert exc.value.rule == "hotline_source_name"
    services.source_create(actor=district_admin, name="江门12345平台")
    with pytest.raises(RuleViolation) as exc:
        services.source_create(actor=district_admin, name=" 江门12345平台 ")
    assert exc.value.rule == "hotline_source_unique"
    assert HotlineSource.objects.count() == 1
