"""What leaves the portal: exports of case lists and downloads of files, each audited."""

from __future__ import annotations

from typing import IO

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import require

from ..export import cases_xlsx
from ..models import Attachment, Case


def case_list_export(*, actor: User, cases: QuerySet[Case], query: str) -> tuple[IO[bytes], int, bool]:
    """The filtered case list as XLSX (identity numbers masked); the export is audited with the
    query that made it and how many rows it holds. Returns (file, rows, truncated)."""
    handle, rows, truncated = cases_xlsx(cases)
    audit_record(
        action="cases.case.exported",
        obj=None,
        actor=actor,
        after={"query": query, "rows": rows, "truncated": truncated},
    )
    return handle, rows, truncated


def attachment_open(*, attachment: Attachment, actor: User) -> IO[bytes]:
    """Open a file of a lead or case for ``actor`` (who may see it), auditing the download on the
    case or lead it belongs to. Raises FileNotFoundError when the storage lost it."""
    owner = attachment.evidence.case if attachment.evidence is not None else attachment.lead
    require(actor, "view", attachment)
    handle = default_storage.open(attachment.blob.storage_name, "rb")
    audit_record(
        action="cases.attachment.downloaded",
        obj=owner,
        actor=actor,
        after={"attachment": attachment.pk, "name": attachment.original_name, "sha256": attachment.blob.sha256},
    )
    return handle
