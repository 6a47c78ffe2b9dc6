"""Who opened which case: every opening of a case page is an audit row."""

from __future__ import annotations

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.models import User

from ..models import Case


def case_record_view(*, case: Case, actor: User) -> None:
    """Record that ``actor`` opened ``case`` (the audit trail is append-only and sealed)."""
    audit_record(action="cases.case.viewed", obj=case, actor=actor)
