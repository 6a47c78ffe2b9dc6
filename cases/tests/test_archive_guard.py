"""case_archived_read_only: an archived case and every row of its file are read-only in the
database, whoever writes (a service, the Django admin, a script, raw SQL)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import InternalError, connection, models, transaction
from django.utils import timezone

from cases import services
from cases.archive_guard import RULE, trigger_name
from cases.choices import CaseState
from cases.models import Attachment, Case, Evidence, InspectionRecord, Notification, Party
from tests.factories import UserFactory

from .factories import make_investigated, person_values

pytestmark = pytest.mark.django_db

# Tables that hang off a case but are not its file.
NOT_THE_FILE = {Notification._meta.db_table}


@pytest.fixture
def archived(filed_case, duruan_officer, duruan_colleague):
    """A case with a party, an evidence item with a file and an inspection record, archived."""
    case = filed_case
    make_investigated(case, duruan_officer, duruan_colleague)
    # Archiving is the case's last change: moving into the state is allowed.
    Case.objects.filter(pk=case.pk).update(state=CaseState.ARCHIVED)
    return case


def refused_by_the_database(statement: str, params: list | None = None) -> str:
    with pytest.raises(InternalError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])
    assert str(exc.value).startswith(RULE), str(exc.value)
    return str(exc.value)


def test_case_archived_read_only_refuses_raw_sql_on_the_case(archived):
    message = refused_by_the_database("UPDATE cases_case SET title = 'x' WHERE id = %s", [archived.pk])
    assert str(archived.pk) in message
    refused_by_the_database("UPDATE cases_case SET state = 'investigating' WHERE id = %s", [archived.pk])
    refused_by_the_database("DELETE FROM cases_case WHERE id = %s", [archived.pk])
    archived.refresh_from_db()
    assert archived.state == CaseState.ARCHIVED and archived.title != "x"


def test_case_archived_read_only_refuses_every_change_to_the_file(archived, duruan_officer):
    party = Party.objects.get(case=archived)
    evidence = Evidence.objects.get(case=archived, title="书证")
    record = InspectionRecord.objects.get(case=archived)
    refused_by_the_database("UPDATE cases_party SET name = 'x' WHERE id = %s", [party.pk])
    refused_by_the_database("DELETE FROM cases_party WHERE id = %s", [party.pk])
    refused_by_the_database(
        "INSERT INTO cases_party (case_id, kind, name) SELECT case_id, kind, name FROM cases_party WHERE id = %s",
        [party.pk],
    )
    refused_by_the_database("UPDATE cases_evidence SET title = 'x' WHERE id = %s", [evidence.pk])
    refused_by_the_database("DELETE FROM cases_caseevent WHERE case_id = %s", [archived.pk])
    # Rows of rows: an evidence item's files, an inspection record's officers.
    refused_by_the_database("DELETE FROM cases_attachment WHERE evidence_id = %s", [evidence.pk])
    refused_by_the_database("DELETE FROM cases_inspectionrecord_officers WHERE inspectionrecord_id = %s", [record.pk])
    # Through the ORM too (a script, the shell), and a child moved onto the archived case.
    with pytest.raises(InternalError), transaction.atomic():
        Party.objects.filter(pk=party.pk).update(phone="13900000000")
    assert Party.objects.get(pk=party.pk).name == party.name
    assert Attachment.objects.filter(evidence=evidence).count() == 1


def test_case_archived_read_only_moving_a_row_onto_an_archived_case_is_refused(
    archived, duruan_officer, duruan_colleague, duruan_head, item
):
    from .factories import make_filed_case

    other = make_filed_case(duruan_officer, duruan_colleague, duruan_head, item=item)
    party = services.party_add(case=other, actor=duruan_officer, **person_values(serial=2))
    refused_by_the_database("UPDATE cases_party SET case_id = %s WHERE id = %s", [archived.pk, party.pk])
    assert Party.objects.get(pk=party.pk).case_id == other.pk


def test_case_archived_read_only_leaves_the_inbox_writable(archived, duruan_officer):
    """A notification about the archived case is the recipient's, not the file: it is marked read."""
    notification = Notification.objects.create(recipient=duruan_officer, case=archived, kind="deadline_due")
    Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_case_archived_read_only_a_live_case_is_not_affected(filed_case, duruan_officer):
    party = services.party_add(case=filed_case, actor=duruan_officer, **person_values())
    Party.objects.filter(pk=party.pk).update(phone="13900000000")
    Case.objects.filter(pk=filed_case.pk).update(title="改过的标题")
    assert Case.objects.get(pk=filed_case.pk).title == "改过的标题"
    assert Party.objects.get(pk=party.pk).phone == "13900000000"


def _file_tables() -> set[str]:
    """Every table of a case's file: the models with a foreign key to the case, their many-to-many
    tables, and the models with a foreign key to one of those (rows of rows)."""
    case = apps.get_model("cases", "Case")
    children = [
        model
        for model in apps.get_models(include_auto_created=True)
        if any(isinstance(f, models.ForeignKey) and f.related_model is case for f in model._meta.concrete_fields)
    ]
    tables = {model._meta.db_table for model in children}
    for model in children:
        tables |= {f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many}
        tables |= {
            other._meta.db_table
            for other in apps.get_models(include_auto_created=True)
            if other not in children
            and other._meta.db_table not in ("cases_case",)
            and any(isinstance(f, models.ForeignKey) and f.related_model is model for f in other._meta.concrete_fields)
        }
    return tables - NOT_THE_FILE


def test_case_archived_read_only_guards_every_table_of_a_case_file():
    """A new table of the file without its trigger fails here: add it with ``guard_sql``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {name for (name,) in cursor.fetchall()}
    tables = _file_tables()
    assert {"cases_party", "cases_evidence", "cases_attachment", "cases_inspectionrecord_officers"} <= tables
    assert sorted(t for t in tables if trigger_name(t) not in triggers) == []
    assert trigger_name("cases_case") in triggers


def test_case_archived_read_only_the_admin_cannot_change_an_archived_case(archived, client):
    admin = UserFactory(username="root_t", full_name="管理员", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/cases/case/{archived.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"/admin/cases/case/{archived.pk}/change/", {"title": "x"}).status_code == 403
    assert client.post(f"/admin/cases/case/{archived.pk}/delete/", {"post": "yes"}).status_code == 403
    archived.refresh_from_db()
    assert archived.title != "x"
