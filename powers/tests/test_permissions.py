"""Who may see and change the catalogue: the permission matrix of every screen and POST.

Only district admins change the catalogue; every signed-in role but social supervisors reads
it; district supervisors and department liaisons also see adjustments and evaluations; only
district admins see imports. Non-admins get 403 on every change screen and POST.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from powers.adjustments import adjustment_approve, adjustment_propose, adjustment_review
from powers.choices import AdjustmentKind, AdjustmentStatus, EvaluationDecision
from powers.evaluation import evaluation_record
from powers.importing import import_parse, import_upload
from powers.models import Adjustment, LeniencyEntry, PowerItem
from powers.standards import leniency_entry_add
from tests.matrix import requested_names

from .factories import approval_document, make_item, second_admin

pytestmark = pytest.mark.django_db

COVERED = frozenset(
    f"powers:{name}"
    for name in [
        "item_list",
        "item_export",
        "item_detail",
        "discretion_new",
        "leniency_new",
        "leniency_end",
        "matrix",
        "adjustment_list",
        "adjustment_new",
        "adjustment_detail",
        "adjustment_decide",
        "adjustment_document",
        "adjustment_opinion",
        "evaluation",
        "evaluation_new",
        "evaluation_detail",
        "import_list",
        "import_new",
        "import_detail",
        "import_progress",
        "import_file",
        "import_decide",
    ]
)
READERS = ["duruan_officer", "baisha_officer", "duruan_supervisor", "district_supervisor", "department_liaison"]
OVERSIGHT = ["district_supervisor", "department_liaison"]
NOT_ADMINS = [*READERS, "social_supervisor"]


@pytest.fixture
def catalogue(district_admin):
    today = timezone.localdate()
    item = make_item(townships=["duruan", "baisha"])
    other = make_item(townships=["duruan"])
    adjustment = adjustment_propose(
        actor=district_admin, kind=AdjustmentKind.RECALL, item=other, reason="收回", effective_date=today
    )
    approved = adjustment_propose(
        actor=district_admin,
        kind=AdjustmentKind.RECALL,
        item=make_item(townships=["duruan"]),
        reason="收回",
        effective_date=today + dt.timedelta(days=30),
    )
    adjustment_review(actor=second_admin(), adjustment=approved)
    adjustment_approve(actor=second_admin(), adjustment=approved, **approval_document())
    evaluation = evaluation_record(
        actor=district_admin,
        item=item,
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        decision=EvaluationDecision.KEEP,
        reasons="保留",
    )
    entry = leniency_entry_add(
        actor=district_admin,
        item=item,
        kind="no_penalty",
        circumstances="首次违法",
        basis="《行政处罚法》第三十三条",
        effective_from=today,
    )
    job = import_upload(
        actor=district_admin,
        file=SimpleUploadedFile("a.csv", "事项编码,事项名称,实施部门\n".encode()),
        effective_date=today,
    )
    import_parse(job.pk)
    return {
        "item": item,
        "adjustment": adjustment,
        "approved": approved,
        "evaluation": evaluation,
        "entry": entry,
        "job": job,
    }


def read_urls(c):
    return [
        "/catalogue/",
        f"/catalogue/items/{c['item'].pk}/",
        "/catalogue/matrix/",
        "/catalogue/export.xlsx",
        "/catalogue/export.csv",
    ]


def oversight_urls(c):
    return [
        "/catalogue/adjustments/",
        f"/catalogue/adjustments/{c['adjustment'].pk}/",
        f"/catalogue/adjustments/{c['approved'].pk}/",
        f"/catalogue/adjustments/{c['approved'].pk}/document/",
        "/catalogue/evaluation/",
        f"/catalogue/evaluations/{c['evaluation'].pk}/",
    ]


def import_rows(c):
    job = c["job"].pk
    return [f"/catalogue/imports/{job}/", f"/catalogue/imports/{job}/progress/", f"/catalogue/imports/{job}/file/"]


def admin_urls(c):
    item = c["item"].pk
    return [
        "/catalogue/imports/",
        "/catalogue/imports/new/",
        "/catalogue/adjustments/new/add/",
        f"/catalogue/adjustments/new/change/?item={item}",
        f"/catalogue/adjustments/new/recall/?item={item}",
        f"/catalogue/adjustments/new/redelegate/?item={item}",
        f"/catalogue/items/{item}/discretion/new/",
        f"/catalogue/items/{item}/leniency/new/",
        f"/catalogue/evaluation/items/{item}/",
    ]


def change_posts(c):
    return [
        f"/catalogue/adjustments/{c['adjustment'].pk}/review/",
        f"/catalogue/adjustments/{c['adjustment'].pk}/withdraw/",
        f"/catalogue/imports/{c['job'].pk}/cancel/",
        f"/catalogue/leniency/{c['entry'].pk}/end/",
        "/catalogue/adjustments/new/add/",
        f"/catalogue/adjustments/new/recall/?item={c['item'].pk}",
        f"/catalogue/items/{c['item'].pk}/discretion/new/",
        f"/catalogue/items/{c['item'].pk}/leniency/new/",
        f"/catalogue/evaluation/items/{c['item'].pk}/",
        "/catalogue/imports/new/",
    ]


def opinion_posts(c):
    """The department liaisons' one POST (the others get 403: see test_views_approval)."""
    return [f"/catalogue/adjustments/{c['adjustment'].pk}/opinion/"]


def test_the_matrix_covers_every_url_of_the_namespace(catalogue):
    c = catalogue
    requested = read_urls(c) + oversight_urls(c) + import_rows(c) + admin_urls(c) + change_posts(c) + opinion_posts(c)
    assert requested_names(requested) == COVERED


def test_district_admin_opens_every_screen(login, district_admin, catalogue):
    client = login(district_admin)
    for url in read_urls(catalogue) + oversight_urls(catalogue) + admin_urls(catalogue) + import_rows(catalogue):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", READERS)
def test_signed_in_roles_read_the_catalogue(request, login, persona, catalogue):
    client = login(request.getfixturevalue(persona))
    for url in read_urls(catalogue):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", OVERSIGHT)
def test_district_supervisors_and_liaisons_see_adjustments_and_evaluations(request, login, persona, catalogue):
    client = login(request.getfixturevalue(persona))
    for url in oversight_urls(catalogue):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["duruan_officer", "duruan_supervisor", "social_supervisor"])
def test_others_do_not_see_adjustments_and_evaluations(request, login, persona, catalogue):
    client = login(request.getfixturevalue(persona))
    for url in ["/catalogue/adjustments/", "/catalogue/evaluation/"]:
        assert client.get(url).status_code == 403, url
    for url in [
        f"/catalogue/adjustments/{catalogue['adjustment'].pk}/",
        f"/catalogue/adjustments/{catalogue['approved'].pk}/document/",
        f"/catalogue/evaluations/{catalogue['evaluation'].pk}/",
    ]:
        assert client.get(url).status_code == 404, url  # invisible to them


def test_social_supervisors_do_not_read_the_catalogue(login, social_supervisor, catalogue):
    client = login(social_supervisor)
    for url in ["/catalogue/", "/catalogue/matrix/", "/catalogue/export.xlsx"]:
        assert client.get(url).status_code == 403, url
    assert client.get(f"/catalogue/items/{catalogue['item'].pk}/").status_code == 404
    assert client.get("/public/").status_code == 200  # the public pages are for everyone


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_non_admins_get_403_on_every_change_screen(request, login, persona, catalogue):
    client = login(request.getfixturevalue(persona))
    for url in admin_urls(catalogue):
        assert client.get(url).status_code == 403, url
    for url in import_rows(catalogue):
        assert client.get(url).status_code == 404, url  # imports are invisible to them


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_non_admins_get_403_on_every_post_and_nothing_changes(request, login, persona, catalogue):
    client = login(request.getfixturevalue(persona))
    for url in change_posts(catalogue):
        assert client.post(url, {"reason": "x", "effective_date": "2030-01-01"}).status_code == 403, url
    assert Adjustment.objects.get(pk=catalogue["adjustment"].pk).status == AdjustmentStatus.PROPOSED
    assert LeniencyEntry.objects.get(pk=catalogue["entry"].pk).effective_to is None
    assert PowerItem.objects.count() == 3


def test_anonymous_visitors_are_sent_to_sign_in(anonymous, catalogue):
    for url in read_urls(catalogue) + oversight_urls(catalogue) + admin_urls(catalogue):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = anonymous.post(f"/catalogue/adjustments/{catalogue['adjustment'].pk}/review/")
    assert response.status_code == 302


def test_change_buttons_only_for_admins(login, district_admin, duruan_officer, catalogue):
    url = f"/catalogue/items/{catalogue['item'].pk}/"
    assert "提出调整" in login(district_admin).get(url).content.decode()
    assert "提出调整" not in login(duruan_officer).get(url).content.decode()
