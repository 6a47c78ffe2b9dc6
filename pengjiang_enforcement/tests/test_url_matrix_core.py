"""Who may open what outside the apps' own pages: the kernel's units, people, calendar and audit
trail (``core``), the public catalogue (``public``) and the names of the project itself (home,
health check, sign-in and -out, password, language).

The expected answers follow ``pengjiang_enforcement/roles.py``, the unit scope of the chokepoint
and the house rule (an object the user may not see is a 404, one they see but may not change is
a 403). The personas:

* ``officer``: an officer of 杜阮 (sees 杜阮's units and people, changes none);
* ``admin``: a district admin (sees and keeps every unit, person, certificate and the calendar);
* ``district``: the district justice bureau (reads every unit, person and the audit trail);
* ``social``: a social supervisor (holds no permission on units, people or the audit trail);
* ``anonymous``: sent to sign in, except on the public catalogue, the health check and the
  language switch, which answer everyone alike.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from pengjiang_enforcement.models import AuditLog, CalendarOverride, EnforcementCertificate, Unit
from powers.tests.factories import make_item
from tests.factories import unit
from tests.matrix import requested_names

pytestmark = pytest.mark.django_db

PERSONAS = ["officer", "admin", "district", "social", "anonymous"]

COVERED = frozenset(
    [
        "home",
        "healthz",
        "login",
        "logout",
        "password_change",
        "set_language",
        "core:unit_list",
        "core:unit_detail",
        "core:unit_edit",
        "core:user_list",
        "core:user_detail",
        "core:calendar",
        "core:audit_list",
        "public:index",
        "public:export",
        "public:item",
        "public:township",
        "public:township_export",
    ]
)

EVERYONE = [200, 200, 200, 200, 200]
# GET: the status each persona gets (in the order of PERSONAS); 302 is the sign-in page for
# ``anonymous`` and the home page for a signed-in user opening the sign-in page.
PAGES = {
    "home": [200, 200, 200, 200, 302],
    # the health check answers everyone alike, without a session; no Celery worker runs here,
    # so it names the worker as down (503)
    "healthz": [503, 503, 503, 503, 503],
    "login": [302, 302, 302, 302, 200],
    "password_change": [200, 200, 200, 200, 302],
    # units: core.view_unit, scoped (the officer's township, the whole district)
    "core:unit_list": [200, 200, 200, 403, 302],
    "core:unit_detail": [200, 200, 200, 404, 302],
    "core:unit_detail:other_township": [404, 200, 200, 404, 302],
    "core:unit_edit": [403, 200, 403, 404, 302],
    # people: core.view_user, scoped the same way
    "core:user_list": [200, 200, 200, 403, 302],
    "core:user_detail": [200, 200, 200, 404, 302],
    "core:user_detail:other_township": [404, 200, 200, 404, 302],
    "core:calendar": [200, 200, 200, 403, 302],
    "core:audit_list": [403, 200, 200, 403, 302],
    # the public catalogue: no sign-in, the same for everyone
    "public:index": EVERYONE,
    "public:export": EVERYONE,
    "public:item": EVERYONE,
    "public:item:unpublished": [404, 404, 404, 404, 404],
    "public:township": EVERYONE,
    "public:township_export": EVERYONE,
}

# POST: who is let through (302) and who is stopped (403 / 404, nothing changed). The language
# switch works for everyone; signing out comes last.
POSTS = {
    "core:unit_edit": [403, 302, 403, 404, 302],
    "core:user_detail:certificate": [403, 302, 403, 404, 302],
    "core:calendar:override": [403, 302, 403, 403, 302],
    "set_language": [302, 302, 302, 302, 302],
    "logout": [302, 302, 302, 302, 302],
}


@pytest.fixture
def world(duruan_officer, duruan_colleague, baisha_officer, district_admin, district_supervisor, social_supervisor):
    today = timezone.localdate()
    published = make_item(townships=["duruan"])
    unpublished = make_item(townships=["duruan"], effective_from=today + datetime.timedelta(days=30))
    office, other_office = unit("duruan-office"), unit("baisha-office")
    pages = {
        "home": "/",
        "healthz": "/healthz",
        "login": "/accounts/login/",
        "password_change": "/accounts/password/",
        "core:unit_list": "/units/",
        "core:unit_detail": f"/units/{office.pk}/",
        "core:unit_detail:other_township": f"/units/{other_office.pk}/",
        "core:unit_edit": f"/units/{office.pk}/edit/",
        "core:user_list": "/people/",
        "core:user_detail": f"/people/{duruan_colleague.pk}/",
        "core:user_detail:other_township": f"/people/{baisha_officer.pk}/",
        "core:calendar": "/calendar/",
        "core:audit_list": "/audit/",
        "public:index": "/public/",
        "public:export": "/public/catalogue.xlsx",
        "public:item": f"/public/items/{published.pk}/",
        "public:item:unpublished": f"/public/items/{unpublished.pk}/",
        "public:township": "/public/duruan/",
        "public:township_export": "/public/duruan/catalogue.xlsx",
    }
    unit_values = {
        "name": office.name,
        "short_name": office.short_name,
        "address": "杜阮镇新址1号",
        "phone": office.phone,
        "sort_order": office.sort_order,
        "is_active": "on",
    }
    certificate = {
        "number": "T900000001",
        "issuing_body": "江门市人民政府",
        "valid_from": (today - datetime.timedelta(days=1)).isoformat(),
        "valid_to": (today + datetime.timedelta(days=365)).isoformat(),
    }
    override = {"date": "2030-10-09", "kind": "holiday", "name": "调休"}
    posts = {
        "core:unit_edit": (f"/units/{office.pk}/edit/", unit_values),
        "core:user_detail:certificate": (f"/people/{duruan_colleague.pk}/", certificate),
        "core:calendar:override": ("/calendar/", override),
        "set_language": ("/i18n/setlang/", {"language": "en", "next": "/public/"}),
        "logout": ("/accounts/logout/", {}),
    }
    people = {
        "officer": duruan_officer,
        "admin": district_admin,
        "district": district_supervisor,
        "social": social_supervisor,
    }
    return {"pages": pages, "posts": posts, "people": people}


@pytest.fixture
def no_worker(settings):
    """A Redis database no Celery worker listens on, and a short ping: /healthz answers 503."""
    settings.REDIS_URL = settings.REDIS_URL.rsplit("/", 1)[0] + "/13"
    settings.HEALTHZ_WORKER_TIMEOUT = 0.2


def _client(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _snapshot() -> dict:
    """What a stopped request must leave as it was."""
    return {
        "units": list(Unit.objects.order_by("pk").values_list("pk", "name", "short_name", "address", "is_active")),
        "certificates": EnforcementCertificate.objects.count(),
        "overrides": CalendarOverride.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def test_the_matrix_covers_every_url_it_names(world):
    requested = [*world["pages"].values(), *(url for url, _data in world["posts"].values())]
    assert requested_names(requested) == COVERED
    assert set(world["pages"]) == set(PAGES)
    assert set(world["posts"]) == set(POSTS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_persona_as_the_rules_say(world, no_worker, persona):
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
def test_posts_let_through_whom_the_rules_say_and_change_nothing_for_the_others(world, persona):
    client = _client(world["people"].get(persona))
    column = PERSONAS.index(persona)
    wrong = []
    for label, (url, data) in world["posts"].items():
        before = _snapshot()
        response = client.post(url, data)
        expected = POSTS[label][column]
        if response.status_code != expected:
            wrong.append((label, url, response.status_code, expected))
        needs_sign_in = persona == "anonymous" and label.startswith("core:")
        if (expected in (403, 404) or needs_sign_in) and _snapshot() != before:
            wrong.append((label, url, "changed although stopped"))
        if needs_sign_in and not response["Location"].startswith("/accounts/login/"):
            wrong.append((label, url, response["Location"]))
    assert not wrong, wrong
    # the language switch took, and the session (if any) ended with the sign-out
    assert client.cookies["django_language"].value == "en"
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_signing_out_takes_a_post(world, duruan_officer):
    client = _client(duruan_officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200  # still signed in
