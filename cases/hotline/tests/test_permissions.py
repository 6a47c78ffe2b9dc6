"""Who may open and do what on the 12345 pages: every URL of ``cases:hotline``, for every persona.

The expected answers follow the role permissions of ``cases/hotline/roles.py``, the unit scope
of ``HotlineOrder.scope_q`` and the house rule (an object the user may not see is a 404, one they
see but may not act on is a 403). The personas:

* ``officer``: an officer of 杜阮, the township the order is routed to (handles it);
* ``head``: the 杜阮 office head (handles, approves requests, reads the triage queue and claims);
* ``other_township``: an officer of 白沙 (handles 白沙's orders, sees none of 杜阮's);
* ``judicial``: the 杜阮 judicial office (reads the township's orders, acts on none);
* ``district``: the district justice bureau (reads every order and import, acts on none);
* ``admin``: a district admin (reads everything, imports, triages any order, keeps feed sources;
  handles no order);
* ``liaison``: a department liaison and ``social``: a social supervisor (no work order at all);
* ``anonymous``: sent to sign in; the JSON feed takes a source's token, never a session.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.hotline import services
from cases.hotline.choices import ImportStatus, RequestStatus
from cases.hotline.models import (
    HotlineEvent,
    HotlineImport,
    HotlineOrder,
    HotlineReply,
    HotlineRequest,
    HotlineSource,
)
from cases.models import Lead
from cases.tests.factories import make_lead
from pengjiang_enforcement.models import AuditLog, Unit
from tests.matrix import requested_names

from . import support
from .support import JIANGMEN, csv_bytes, jiangmen_row

pytestmark = pytest.mark.django_db
make_orders = support.make_orders  # the fixture

PERSONAS = ["officer", "head", "other_township", "judicial", "district", "admin", "liaison", "social", "anonymous"]

COVERED = frozenset(
    f"cases:hotline:{name}"
    for name in [
        "order_list",
        "triage",
        "triage_reroute",
        "reply_export",
        "order_detail",
        "order_by_number",
        "order_phone",
        "order_accept",
        "order_interim",
        "order_reply",
        "order_extension",
        "order_return",
        "order_reopen",
        "order_route",
        "order_return_untriaged",
        "order_convert",
        "order_link_lead",
        "order_item",
        "request_decide",
        "import_list",
        "import_detail",
        "import_progress",
        "import_confirm",
        "import_discard",
        "import_resume",
        "import_report",
        "source_list",
        "source_rotate",
        "source_active",
        "feed",
    ]
)

# GET: the status each persona gets (in the order of PERSONAS). 302 is the sign-in page for
# ``anonymous``; for ``order_by_number`` it is the order's page for whoever sees the order.
PAGES = {
    # the township's queue: every role holding cases.view_hotlineorder
    "order_list": [200, 200, 200, 200, 200, 200, 403, 403, 302],
    # the triage queue: cases.triage_hotlineorder (office heads, district admins)
    "triage": [403, 200, 403, 403, 403, 200, 403, 403, 302],
    # the reply file: cases.export_hotlineorder (not the judicial office, not the bureau)
    "reply_export": [200, 200, 200, 403, 403, 200, 403, 403, 302],
    # an order of 杜阮: its township's staff and the district see it
    "order_detail": [200, 200, 404, 200, 200, 200, 404, 404, 302],
    # an order in triage: district staff and whoever may triage (the office head)
    "order_detail:triage": [404, 200, 404, 404, 200, 200, 404, 404, 302],
    "order_by_number": [302, 302, 404, 302, 302, 302, 404, 404, 302],
    # imports: cases.view_hotlineimport (township staff who import, district staff)
    "import_list": [200, 200, 200, 403, 200, 200, 403, 403, 302],
    # an import of 杜阮 (uploaded by its officer): its township and the district see it
    "import_detail": [200, 200, 404, 404, 200, 200, 404, 404, 302],
    "import_progress": [200, 200, 404, 404, 200, 200, 404, 404, 302],
    "import_report": [200, 200, 404, 404, 200, 200, 404, 404, 302],
    # an import of the district (no township): district staff only
    "import_detail:district": [404, 404, 404, 404, 200, 200, 404, 404, 302],
    # feed sources: cases.view_hotlinesource (district admins)
    "source_list": [403, 403, 403, 403, 403, 200, 403, 403, 302],
}

# POST: who is let through (302 back to a page; 200 where the page answers in place) and who is
# stopped (403 / 404); nothing may change for those stopped.
HANDLE = [302, 302, 404, 403, 403, 403, 404, 404, 302]  # cases.change_hotlineorder on 杜阮's order
APPROVE = [403, 302, 404, 403, 403, 403, 404, 404, 302]  # cases.approve_hotlineorder: the office head
RUN_IMPORT = [302, 302, 404, 404, 403, 302, 404, 404, 302]  # sees the import and holds add_hotlineimport
KEEP_SOURCES = [403, 403, 403, 403, 403, 302, 403, 403, 302]  # cases.change_hotlinesource
POSTS = {
    # the gazetteer again over the whole queue: district admins only (office heads claim one by one)
    "triage_reroute": [403, 403, 403, 403, 403, 302, 403, 403, 302],
    # the citizen's full phone, shown in place: whoever may handle the order
    "order_phone": [200, 200, 404, 403, 403, 403, 404, 404, 302],
    "order_accept": HANDLE,
    "order_interim": HANDLE,
    "order_reply": HANDLE,
    "order_extension": HANDLE,
    "order_return": HANDLE,
    "order_convert": HANDLE,
    "order_link_lead": HANDLE,
    "order_item": HANDLE,
    "order_reopen": APPROVE,
    "request_decide": APPROVE,
    # claim an order in triage for 杜阮: the office head (own township) and district admins
    "order_route:claim": [404, 302, 404, 404, 403, 302, 404, 404, 302],
    # send 杜阮's order back to triage: its office head, or a district admin (routes anything)
    "order_route:unroute": [403, 302, 404, 403, 403, 302, 404, 404, 302],
    # return an order that is no township's to the hotline: district admins only
    "order_return_untriaged": [404, 403, 404, 404, 403, 302, 404, 404, 302],
    "import_confirm": RUN_IMPORT,
    "import_discard": RUN_IMPORT,
    "import_resume": RUN_IMPORT,
    # an upload: whoever holds cases.add_hotlineimport (the job is their township's)
    "import_list:upload": [302, 302, 302, 403, 403, 302, 403, 403, 302],
    # a new source (its token is shown once, on the page itself)
    "source_list:create": [403, 403, 403, 403, 403, 200, 403, 403, 302],
    # a rotated token is shown once, on the page itself
    "source_rotate": [403, 403, 403, 403, 403, 200, 403, 403, 302],
    "source_active": KEEP_SOURCES,
}

NO_TOWNSHIP = {"unit": "", "body": "地址：某处。事项：路灯不亮。"}


@pytest.fixture
def world(make_orders, duruan_officer, duruan_head, baisha_officer, duruan_supervisor, district_supervisor,
          district_admin, department_liaison, social_supervisor):  # fmt: skip
    """Orders of 杜阮 (one with a pending extension request), orders in triage, an import of 杜阮
    waiting for confirmation, an import of the district, a feed source and a lead of 杜阮."""
    order, asked, spare = make_orders(3, phone="13800138000")
    claimable, foreign = make_orders(2, **NO_TOWNSHIP)
    duruan = Unit.objects.get(code="duruan")
    assert {order.township_id, asked.township_id, spare.township_id} == {duruan.pk}
    assert claimable.in_triage and foreign.in_triage
    services.order_accept(order=asked, actor=duruan_officer)
    asked.refresh_from_db()
    pending = services.order_request_extension(
        order=asked, actor=duruan_officer, reason="需检测", due_on=asked.due_on + datetime.timedelta(days=30)
    )
    job = support.read(duruan_officer, csv_bytes(JIANGMEN, [jiangmen_row(f"0826{99999:015d}")]), "duruan.csv")
    assert job.status == ImportStatus.PREVIEWED and job.township_id == duruan.pk
    district_job = order.first_import_id  # imported by the district admin: no township
    source, _token = services.source_create(actor=district_admin, name="江门12345平台")
    lead = make_lead(duruan_officer)
    o = order.pk
    pages = {
        "order_list": "/hotline/",
        "triage": "/hotline/triage/",
        "reply_export": "/hotline/export.xlsx",
        "order_detail": f"/hotline/orders/{o}/",
        "order_detail:triage": f"/hotline/orders/{claimable.pk}/",
        "order_by_number": f"/hotline/orders/no/{order.order_no}/",
        "import_list": "/hotline/imports/",
        "import_detail": f"/hotline/imports/{job.pk}/",
        "import_progress": f"/hotline/imports/{job.pk}/progress/",
        "import_report": f"/hotline/imports/{job.pk}/report.xlsx",
        "import_detail:district": f"/hotline/imports/{district_job}/",
        "source_list": "/hotline/sources/",
    }
    later = (order.due_on + datetime.timedelta(days=30)).isoformat()
    posts = {
        "triage_reroute": ("/hotline/triage/reroute/", {}),
        "order_phone": (f"/hotline/orders/{o}/phone/", {}),
        "order_accept": (f"/hotline/orders/{o}/accept/", {}),
        "order_interim": (f"/hotline/orders/{o}/interim/", {"text": "已派员核查。"}),
        "order_reply": (f"/hotline/orders/{o}/reply/", {"text": "已处理完毕。", "version": order.version}),
        "order_extension": (f"/hotline/orders/{o}/extension/", {"due_on": later, "reason": "需检测"}),
        "order_return": (f"/hotline/orders/{o}/return/", {"reason": "不属本镇管辖"}),
        "order_convert": (f"/hotline/orders/{o}/lead/", {}),
        "order_link_lead": (f"/hotline/orders/{o}/link-lead/", {"lead": lead.pk}),
        "order_item": (f"/hotline/orders/{o}/item/", {"item": ""}),
        "order_reopen": (f"/hotline/orders/{o}/reopen/", {"reason": "市民不满意"}),
        "request_decide": (f"/hotline/requests/{pending.pk}/decide/", {"decision": "approve", "note": ""}),
        "order_route:claim": (f"/hotline/orders/{claimable.pk}/route/", {"township": duruan.pk}),
        "order_route:unroute": (f"/hotline/orders/{spare.pk}/route/", {"township": "", "reason": "地址在白沙"}),
        "order_return_untriaged": (f"/hotline/orders/{foreign.pk}/return-untriaged/", {"reason": "非本区工单"}),
        "import_confirm": (f"/hotline/imports/{job.pk}/confirm/", {}),
        "import_discard": (f"/hotline/imports/{job.pk}/discard/", {}),
        "import_resume": (f"/hotline/imports/{job.pk}/resume/", {}),
        "import_list:upload": ("/hotline/imports/", {"file": SimpleUploadedFile("again.csv", support_file())}),
        "source_list:create": ("/hotline/sources/", {"name": "另一个平台", "note": ""}),
        "source_rotate": (f"/hotline/sources/{source.pk}/rotate/", {}),
        "source_active": (f"/hotline/sources/{source.pk}/active/", {"active": "0"}),
    }
    people = {
        "officer": duruan_officer,
        "head": duruan_head,
        "other_township": baisha_officer,
        "judicial": duruan_supervisor,
        "district": district_supervisor,
        "admin": district_admin,
        "liaison": department_liaison,
        "social": social_supervisor,
    }
    return {"pages": pages, "posts": posts, "feed": "/hotline/api/orders/", "people": people}


def support_file() -> bytes:
    return csv_bytes(JIANGMEN, [jiangmen_row(f"0826{88888:015d}")])


def _client(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _snapshot() -> dict:
    """What a stopped request must leave as it was."""
    return {
        "orders": list(
            HotlineOrder.objects.order_by("pk").values_list(
                "pk", "state", "version", "township_id", "due_on", "lead_id", "power_item_id"
            )
        ),
        "requests": list(HotlineRequest.objects.order_by("pk").values_list("pk", "status")),
        "imports": list(HotlineImport.objects.order_by("pk").values_list("pk", "status", "heartbeat_at")),
        "sources": list(HotlineSource.objects.order_by("pk").values_list("pk", "key_id", "is_active")),
        "replies": HotlineReply.objects.count(),
        "events": HotlineEvent.objects.count(),
        "leads": Lead.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def test_the_matrix_covers_every_url_of_the_namespace(world):
    requested = [*world["pages"].values(), *(url for url, _data in world["posts"].values()), world["feed"]]
    assert requested_names(requested) == COVERED
    assert set(world["pages"]) == set(PAGES)
    assert set(world["posts"]) == set(POSTS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_persona_as_the_rules_say(world, persona):
    client = _client(world["people"].get(persona))
    column = PERSONAS.index(persona)
    wrong = []
    for label, url in world["pages"].items():
        response = client.get(url)
        expected = PAGES[label][column]
        if response.status_code != expected:
            wrong.append((label, url, response.status_code, expected))
        elif expected == 302:
            to_login = response["Location"].startswith("/accounts/login/")
            if to_login != (persona == "anonymous"):
                wrong.append((label, url, response["Location"]))
    assert not wrong, wrong


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_only_urls_let_through_whom_the_rules_say_and_change_nothing_for_the_others(world, persona):
    client = _client(world["people"].get(persona))
    column = PERSONAS.index(persona)
    wrong = []
    for label, (url, data) in world["posts"].items():
        before = _snapshot()
        response = client.post(url, data)
        expected = POSTS[label][column]
        if response.status_code != expected:
            wrong.append((label, url, response.status_code, expected))
        if persona == "anonymous":
            if not response["Location"].startswith("/accounts/login/"):
                wrong.append((label, url, response["Location"]))
        elif expected == 302 and response["Location"].startswith("/accounts/login/"):
            wrong.append((label, url, response["Location"]))
        if (persona == "anonymous" or expected in (403, 404)) and _snapshot() != before:
            wrong.append((label, url, "changed although stopped"))
    assert not wrong, wrong


def test_a_granted_post_really_acts(world, duruan_head):
    """The 302s above are the services' doing: the office head's decision is recorded."""
    url, data = world["posts"]["request_decide"]
    assert _client(duruan_head).post(url, data).status_code == 302
    assert not HotlineRequest.objects.filter(status=RequestStatus.PENDING).exists()


# --- the JSON feed: a source's token, never a session ------------------------------------------
FEED_ITEM = {
    "service_request_id": "0826081308493182401",
    "requested_datetime": "2026-03-02T09:30:00+08:00",
    "description": "地址：江门市蓬江区杜阮镇龙榜村。事项：焚烧垃圾。",
    "agency_responsible": "杜阮镇人民政府",
}


def _feed(client: Client, url: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(url, json.dumps([FEED_ITEM], ensure_ascii=False), content_type="application/json",
                       headers=headers)  # fmt: skip


def test_the_feed_refuses_without_a_valid_token_whoever_is_signed_in(world, district_admin):
    url = world["feed"]
    source = HotlineSource.objects.get()
    signed_in = _client(district_admin)
    before = _snapshot()
    refused = [
        _feed(Client(), url),  # no token
        _feed(Client(), url, token="wrong.token"),
        _feed(Client(), url, token=f"{source.key_id}.not-the-secret"),  # a real key id, a wrong secret
        _feed(signed_in, url),  # a session is no token
        _feed(signed_in, url, token=""),
    ]
    assert [r.status_code for r in refused] == [401] * len(refused)
    assert all(r["WWW-Authenticate"].startswith("Bearer") for r in refused)
    assert _snapshot() == before
    assert signed_in.get(url).status_code == 405


def test_the_feed_takes_a_source_token_until_the_source_is_switched_off(world, district_admin):
    url = world["feed"]
    source = HotlineSource.objects.get()
    token = services.source_rotate(source=source, actor=district_admin)
    response = _feed(Client(), url, token=token)
    assert response.status_code == 200, response.content
    assert HotlineOrder.objects.filter(order_no=FEED_ITEM["service_request_id"]).exists()
    services.source_set_active(source=source, actor=district_admin, active=False)
    before = _snapshot()
    assert _feed(Client(), url, token=token).status_code == 401
    assert _snapshot() == before
