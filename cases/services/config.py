"""Changes to the data the law leaves open (number patterns, extension steps, the policy)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model

from pengjiang_enforcement.audit import audit_record, changed, snapshot
from pengjiang_enforcement.models import User


@transaction.atomic
def reference_data_save(*, obj: Model, actor: User | None) -> Model:
    """Validate and save a row of reference data, with its before and after in the audit."""
    before = {}
    if obj.pk:
        before = snapshot(type(obj)._default_manager.select_for_update().get(pk=obj.pk))
    obj.full_clean()
    obj.save()
    old, new = changed(before, snapshot(obj))
    verb = "changed" if before else "created"
    audit_record(action=f"cases.{obj._meta.model_name}.{verb}", obj=obj, actor=actor, before=old or None, after=new)
    return obj
