"""The audit trail: append-only at the database, hash-chained, verified by verify_audit."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from pengjiang_enforcement.audit import GENESIS, audit_checkpoint, audit_record, head_seal, row_hash, verify_audit
from pengjiang_enforcement.models import AuditChainHead, AuditCheckpoint, AuditLog, Unit
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


# --- the chain heads: the newest row of a chain is sealed as it is written --------------------------
def _chain(target) -> list[AuditLog]:
    return list(AuditLog.objects.filter(chain_key=f"core.unit:{target.pk}").order_by("chain_seq"))


def test_every_write_moves_its_chains_sealed_head(district_admin):
    target = unit("hetang")
    for i in range(2):
        unit_update(unit=target, actor=district_admin, phone=f"0750-{i}")
    head = AuditChainHead.objects.get(chain_key=f"core.unit:{target.pk}")
    newest = _chain(target)[-1]
    assert (head.chain_seq, head.hash) == (newest.chain_seq, newest.hash)
    assert head.seal == head_seal(head.chain_key, head.chain_seq, head.hash)


def test_deleting_the_newest_row_is_found_without_any_checkpoint(district_admin):
    target = unit("baisha")
    for i in range(2):
        unit_update(unit=target, actor=district_admin, phone=f"0750-{i}")
    newest = _chain(target)[-1]
    _as_superuser_bypassing_triggers("DELETE FROM core_auditlog WHERE id = %s", [newest.id])
    assert not AuditCheckpoint.objects.exists()
    problems = verify_audit().problems
    assert problems == [f"REMOVED: chain core.unit:{target.pk} #2 (the newest row) is no longer in the trail"]
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_audit")


def test_a_whole_chain_removed_is_named_by_its_head(district_admin):
    target = unit("tangxia")
    for i in range(3):
        unit_update(unit=target, actor=district_admin, phone=f"0750-{i}")
    _as_superuser_bypassing_triggers("DELETE FROM core_auditlog WHERE chain_key = %s", [f"core.unit:{target.pk}"])
    assert verify_audit().problems == [
        f"REMOVED: chain core.unit:{target.pk} (#1..#3) is no longer in the trail, only its head is left"
    ]


def test_a_head_removed_is_named(district_admin):
    target = unit("huanshi")
    unit_update(unit=target, actor=district_admin, phone="0750-1")
    _as_superuser_bypassing_triggers("DELETE FROM core_auditchainhead WHERE chain_key = %s", [f"core.unit:{target.pk}"])
    newest = _chain(target)[-1]
    assert verify_audit().problems == [
        f"HEAD GONE: chain core.unit:{target.pk} has no head (its newest row is #1, row id {newest.id})"
    ]


def test_rows_written_past_the_head_are_named(district_admin):
    target = unit("chaolian")
    unit_update(unit=target, actor=district_admin, phone="0750-1")
    newest = _chain(target)[-1]
    row = {field: getattr(newest, field) for field in ("created_at", "actor_repr", "request_id", "action")}
    row |= {"actor_id": None, "content_type_id": newest.content_type_id, "object_id": newest.object_id}
    row |= {"object_repr": "x", "before": None, "after": {"phone": "forged"}, "chain_key": newest.chain_key}
    row |= {"chain_seq": 2, "prev_hash": newest.hash}
    row["hash"] = row_hash(row)  # a correct link, made with the key, but not through audit_record
    AuditLog.objects.bulk_create([AuditLog(**row)])
    problems = verify_audit().problems
    assert len(problems) == 1 and problems[0].startswith(f"AFTER THE HEAD: chain core.unit:{target.pk} #2..#2")


def test_a_head_set_back_by_hand_does_not_match_its_seal(district_admin):
    target = unit("duruan")
    for i in range(2):
        unit_update(unit=target, actor=district_admin, phone=f"0750-{i}")
    first, newest = _chain(target)
    _as_superuser_bypassing_triggers("DELETE FROM core_auditlog WHERE id = %s", [newest.id])
    _as_superuser_bypassing_triggers(
        "UPDATE core_auditchainhead SET chain_seq = 1, hash = %s WHERE chain_key = %s", [first.hash, first.chain_key]
    )
    assert verify_audit().problems == [
        f"HEAD FORGED OR EDITED: the head of chain core.unit:{target.pk} (#1) does not match its seal"
    ]


def test_the_database_lets_a_head_only_move_forward_by_one_onto_its_row(district_admin):
    target = unit("hetang")
    for i in range(2):
        unit_update(unit=target, actor=district_admin, phone=f"0750-{i}")
    first, newest = _chain(target)
    key = first.chain_key
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
        _sql("DELETE FROM core_auditchainhead WHERE chain_key = %s", [key])
    with pytest.raises(DatabaseError, match="moves only forward"), transaction.atomic():
        _sql("UPDATE core_auditchainhead SET chain_seq = 1, hash = %s WHERE chain_key = %s", [first.hash, key])
    with pytest.raises(DatabaseError, match="moves only forward"), transaction.atomic():
        _sql("UPDATE core_auditchainhead SET chain_seq = 3, hash = %s WHERE chain_key = %s", ["e" * 64, key])
    with pytest.raises(DatabaseError, match="starts at its chain's first row"), transaction.atomic():
        _sql(
            "INSERT INTO core_auditchainhead (chain_key, chain_seq, hash, seal) VALUES ('core.unit:0', 2, %s, 'x')",
            [newest.hash],
        )
    assert verify_audit().ok


def test_the_migration_builds_a_head_for_every_existing_chain(district_admin):
    from types import SimpleNamespace

    from django.apps import apps

    build_heads = import_module("pengjiang_enforcement.migrations.0008_security_audit_chain_head").build_heads
    for i in range(2):
        unit_update(unit=unit("baisha"), actor=district_admin, phone=f"0750-{i}")
    expected = set(AuditChainHead.objects.values_list("chain_key", "chain_seq", "hash", "seal"))
    _as_superuser_bypassing_triggers("DELETE FROM core_auditchainhead", [])
    assert verify_audit().problems
    _sql("SET LOCAL session_replication_role = replica")
    build_heads(apps, SimpleNamespace(connection=connection))
    _sql("SET LOCAL session_replication_role = DEFAULT")
    assert set(AuditChainHead.objects.values_list("chain_key", "chain_seq", "hash", "seal")) == expected
    assert verify_audit().ok


def test_verify_audit_warns_when_no_checkpoint_was_ever_made(district_admin, capsys):
    unit_update(unit=unit("baisha"), actor=district_admin, phone="1")
    report = verify_audit()
    assert report.ok and len(report.warnings) == 1 and report.warnings[0].startswith("NO CHECKPOINT")
    call_command("verify_audit")  # a warning does not fail the command
    assert "WARNING: NO CHECKPOINT" in capsys.readouterr().err
    audit_checkpoint()
    assert verify_audit().warnings == []


def test_verify_audit_warns_when_rows_wait_too_long_for_a_checkpoint(district_admin, settings):
    unit_update(unit=unit("baisha"), actor=district_admin, phone="1")
    audit_checkpoint()
    unit_update(unit=unit("baisha"), actor=district_admin, phone="2")
    assert verify_audit().warnings == []  # within AUDIT_CHECKPOINT_MAX_AGE
    settings.AUDIT_CHECKPOINT_MAX_AGE = 0
    report = verify_audit()
    assert report.ok and len(report.warnings) == 1 and report.warnings[0].startswith("LATE CHECKPOINT")
