"""The audit trail: append-only at the database, hash-chained, verified by verify_audit."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from pengjiang_enforcement.audit import GENESIS, audit_checkpoint, audit_record, verify_audit
from pengjiang_enforcement.models import AuditCheckpoint, AuditLog, Unit
from pengjiang_enforcement.services import unit_update, user_create
from tests.factories import unit

pytestmark = pytest.mark.django_db


def _sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _as_superuser_bypassing_triggers(statement: str, params) -> None:
    """Tamper the way only a database superuser can: with triggers switched off."""
    _sql("SET LOCAL session_replication_role = replica")
    try:
        _sql(statement, params)
    finally:
        _sql("SET LOCAL session_replication_role = DEFAULT")


def test_services_write_named_actions_with_before_and_after(district_admin):
    target = unit("duruan")
    unit_update(unit=target, actor=district_admin, short_name="杜阮镇")
    row = AuditLog.objects.filter(action="core.unit.updated").latest("id")
    assert row.actor == district_admin
    assert row.object_id == str(target.pk)
    assert row.before == {"short_name": "杜阮"}
    assert row.after == {"short_name": "杜阮镇"}
    assert row.chain_key == f"core.unit:{target.pk}"


def test_user_created_is_audited(district_admin):
    user = user_create(actor=district_admin, username="new1", full_name="新人", unit=unit("hetang-office"))
    row = AuditLog.objects.get(action="core.user.created", object_id=str(user.pk))
    assert row.after["username"] == "new1"
    assert "password" not in row.after


def test_update_is_refused_by_the_database(district_admin):
    audit_record(action="core.test.done", obj=district_admin, actor=district_admin)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE core_auditlog SET action = 'core.test.forged'")


def test_delete_is_refused_by_the_database(district_admin):
    audit_record(action="core.test.done", obj=district_admin, actor=district_admin)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM core_auditlog")
    audit_checkpoint()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM core_auditcheckpoint")


def test_chain_links_rows_of_the_same_object(district_admin):
    target = unit("tangxia")
    unit_update(unit=target, actor=district_admin, phone="0750-1")
    unit_update(unit=target, actor=district_admin, phone="0750-2")
    first, second = AuditLog.objects.filter(chain_key=f"core.unit:{target.pk}").order_by("chain_seq")
    assert (first.chain_seq, second.chain_seq) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash


def test_verify_audit_passes_on_an_intact_trail(district_admin):
    for i in range(3):
        unit_update(unit=unit("hetang"), actor=district_admin, phone=f"0750-{i}")
    audit_checkpoint()
    report = verify_audit()
    assert report.ok, report.problems
    call_command("verify_audit")


def test_verify_audit_names_a_forged_row(district_admin):
    unit_update(unit=unit("hetang"), actor=district_admin, phone="0750-9")
    head = AuditLog.objects.order_by("-id").first()
    # A row inserted behind the services' back, with a made-up hash.
    _sql(
        "INSERT INTO core_auditlog (created_at, actor_repr, request_id, action, object_id, object_repr, "
        "chain_key, chain_seq, prev_hash, hash) VALUES (now(), 'x', '', 'core.unit.updated', %s, 'x', %s, %s, %s, %s)",
        [head.object_id, head.chain_key, head.chain_seq + 1, head.hash, "f" * 64],
    )
    forged_id = AuditLog.objects.order_by("-id").values_list("id", flat=True).first()
    report = verify_audit()
    assert any(f"audit row id {forged_id} " in p and "FORGED OR EDITED" in p for p in report.problems)
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_audit")


def test_verify_audit_names_an_edited_row(district_admin):
    target = unit("chaolian")
    unit_update(unit=target, actor=district_admin, phone="0750-1")
    row = AuditLog.objects.filter(chain_key=f"core.unit:{target.pk}").latest("id")
    # Only a database superuser can get past the trigger; verify_audit still notices.
    _as_superuser_bypassing_triggers(
        'UPDATE core_auditlog SET after = \'{"phone": "0750-666"}\' WHERE id = %s', [row.id]
    )
    problems = verify_audit().problems
    assert problems == [
        f"FORGED OR EDITED: audit row id {row.id} (core.unit.updated, core.unit:{target.pk} #{row.chain_seq}): "
        "its hash does not match its content"
    ]


def test_verify_audit_names_a_removed_row_in_the_middle(district_admin):
    target = unit("huanshi")
    for i in range(3):
        unit_update(unit=target, actor=district_admin, phone=f"0750-{i}")
    rows = list(AuditLog.objects.filter(chain_key=f"core.unit:{target.pk}").order_by("chain_seq"))
    _as_superuser_bypassing_triggers("DELETE FROM core_auditlog WHERE id = %s", [rows[1].id])
    problems = verify_audit().problems
    assert any("REMOVED" in p and "positions 2..2" in p and f"after row id {rows[0].id}" in p for p in problems)


def test_verify_audit_names_removed_newest_rows_through_checkpoints(district_admin):
    target = unit("baisha")
    for i in range(2):
        unit_update(unit=target, actor=district_admin, phone=f"0750-{i}")
    checkpoint = audit_checkpoint()
    newest = AuditLog.objects.filter(chain_key=f"core.unit:{target.pk}").latest("chain_seq")
    _as_superuser_bypassing_triggers("DELETE FROM core_auditlog WHERE id = %s", [newest.id])
    problems = verify_audit().problems
    assert any(
        p.startswith(f"REMOVED: chain core.unit:{target.pk} #{newest.chain_seq}, sealed by checkpoint {checkpoint.pk}")
        for p in problems
    )


def test_checkpoint_twice_with_nothing_new_writes_nothing(district_admin):
    unit_update(unit=unit("baisha"), actor=district_admin, phone="1")
    assert audit_checkpoint() is not None
    assert audit_checkpoint() is None
    assert AuditCheckpoint.objects.count() == 1


def test_failed_service_leaves_no_audit_row(district_admin):
    from pengjiang_enforcement.exceptions import RuleViolation

    before = AuditLog.objects.count()
    with pytest.raises(RuleViolation):
        unit_update(unit=unit("baisha"), actor=district_admin, short_name="杜阮")  # clashes with 杜阮镇
    assert AuditLog.objects.count() == before
    assert Unit.objects.get(code="baisha").short_name == "白沙"


def test_audit_record_many_chains_each_object_like_audit_record(duruan_officer):
    """A bulk write continues each object's own chain, and verify_audit accepts the result."""
    from pengjiang_enforcement.audit import Entry, audit_record, audit_record_many, verify_audit
    from pengjiang_enforcement.models import Unit

    units = list(Unit.objects.order_by("pk")[:3])
    audit_record(action="core.unit.updated", obj=units[0], actor=None, after={"name": "before"})
    written = audit_record_many(
        action="core.unit.updated",
        model=Unit,
        entries=[Entry(u.pk, str(u), after={"n": i}) for i, u in enumerate(units)],
        actor=duruan_officer,
    )
    assert written == 3
    first = AuditLog.objects.filter(chain_key=f"core.unit:{units[0].pk}").order_by("chain_seq")
    assert [row.chain_seq for row in first] == [1, 2]
    assert first[1].prev_hash == first[0].hash and first[1].actor == duruan_officer
    assert AuditLog.objects.get(chain_key=f"core.unit:{units[2].pk}").chain_seq == 1
    assert verify_audit().ok
