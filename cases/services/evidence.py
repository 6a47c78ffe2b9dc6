"""Uploaded files (stored once under their SHA-256) and evidence items (APL Art. 46)."""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import snapshot
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.models import User
from pengjiang_enforcement.permissions import require
from pengjiang_enforcement.workdays import today as local_today

from .. import rules, uploads
from ..choices import CASE_EDITABLE_FILING_STATES, CaseState, EvidenceKind, LeadStatus
from ..constants import DEFAULT_UPLOAD_MAX_BYTES
from ..models import Attachment, Case, Evidence, Lead, StoredFile
from ..workflow import CASES, LEADS
from .common import require_state

EVIDENCE_STATES = (*CASE_EDITABLE_FILING_STATES, CaseState.INVESTIGATING)


def upload_max_bytes() -> int:
    return int(getattr(settings, "CASES_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Refuse an empty, oversized or disguised file; return (kind, content type).

    The type is judged by the content, and must be the one the file name claims.
    """
    name = os.path.basename(upload.name or "")
    limit = upload_max_bytes()
    if not upload.size:
        raise RuleViolation(_("The file “%(name)s” is empty."), rule="upload_empty", params={"name": name})
    if upload.size > limit:
        raise RuleViolation(
            _("The file “%(name)s” is %(size)s; files up to %(limit)s are accepted."),
            rule="upload_too_large",
            params={"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in uploads.ALLOWED:
        raise RuleViolation(
            _("Files of the type “%(ext)s” are not accepted. Accepted: %(allowed)s."),
            rule="upload_type_not_allowed",
            params={"ext": extension or name, "allowed": " ".join(sorted(uploads.ALLOWED))},
        )
    expected, content_type = uploads.ALLOWED[extension]
    found = uploads.sniff(upload)
    if found != expected:
        raise RuleViolation(
            _("The file “%(name)s” is named %(ext)s but its content is %(found)s; it was refused."),
            rule="upload_content_mismatch",
            params={
                "name": name,
                "ext": extension,
                "found": uploads.KIND_NAMES.get(found or "", _("of an unknown type")),
            },
        )
    return expected, content_type


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def blob_store(*, upload: UploadedFile) -> StoredFile:
    """Check an upload and store its bytes once, named by their SHA-256 (never overwritten).

    Runs in its own short transaction, before the evidence is saved: if saving the evidence is
    refused, the file stays stored and the form offers it again, so nothing uploaded is lost.
    """
    _kind, content_type = check_upload(upload)
    sha = _sha256(upload)
    existing = StoredFile.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    name = f"evidence/{sha[:2]}/{sha[2:4]}/{sha}"
    if default_storage.exists(name) and default_storage.size(name) == upload.size:
        stored_name = name  # the same bytes are already there (a transaction rolled back earlier)
    else:
        # Storage.save never replaces a file: an existing name gets a suffix.
        stored_name = default_storage.save(name, File(upload))
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                sha256=sha, size=upload.size or 0, content_type=content_type, storage_name=stored_name
            )
    except IntegrityError:  # the same file uploaded at the same moment by someone else
        return StoredFile.objects.get(sha256=sha)


def _attach(*, blob: StoredFile, name: str, actor: User, evidence: Evidence | None = None, lead: Lead | None = None):
    return Attachment.objects.create(
        blob=blob, evidence=evidence, lead=lead, original_name=os.path.basename(name)[:255], uploaded_by=actor
    )


@transaction.atomic
def evidence_add(
    *,
    case: Case,
    actor: User,
    kind: str,
    title: str,
    collected_on: datetime.date,
    description: str = "",
    provider: str = "",
    files: Sequence[tuple[StoredFile, str]] = (),
    inspection=None,
    interview=None,
    today: datetime.date | None = None,
) -> Evidence:
    """Add an evidence item to the case's evidence list, with its files."""
    today = local_today(today)
    case = CASES.lock(case)
    require(actor, "change", case)
    require_state(case, EVIDENCE_STATES, doing=_("Adding evidence"))
    rules.not_in_future(collected_on, today=today, label=_("The collection date"))
    seq = (Evidence.objects.filter(case=case).aggregate(m=Max("seq"))["m"] or 0) + 1
    evidence = Evidence(
        case=case,
        seq=seq,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        provider=provider.strip(),
        collected_on=collected_on,
        collected_by=actor,
        inspection=inspection,
        interview=interview,
    )
    evidence.full_clean()
    evidence.save()
    attached = [_attach(blob=blob, name=name, actor=actor, evidence=evidence) for blob, name in files]
    CASES.record(
        case,
        "evidence.added",
        actor=actor,
        data={"seq": seq, "title": evidence.title, "files": [a.original_name for a in attached]},
        after={
            **snapshot(evidence, ["seq", "kind", "title", "collected_on"]),
            "files": [{"name": a.original_name, "sha256": a.blob.sha256} for a in attached],
        },
    )
    return evidence


@transaction.atomic
def evidence_attach_file(*, evidence: Evidence, actor: User, blob: StoredFile, name: str) -> Attachment:
    """Add a file to an evidence item (e.g. the signed scan of a record). Files are never replaced."""
    case = CASES.lock(evidence.case_id)
    require(actor, "change", case)
    require_state(case, (*EVIDENCE_STATES, CaseState.INVESTIGATION_CLOSED), doing=_("Adding a file"))
    attachment = _attach(blob=blob, name=name, actor=actor, evidence=evidence)
    CASES.record(
        case,
        "evidence.file_attached",
        actor=actor,
        data={"seq": evidence.seq, "file": attachment.original_name},
        after={"evidence": evidence.seq, "name": attachment.original_name, "sha256": blob.sha256},
    )
    return attachment


@transaction.atomic
def lead_attach_file(*, lead: Lead, actor: User, blob: StoredFile, name: str) -> Attachment:
    """Add a file (a photo, a complaint letter, a transfer letter) to a lead."""
    lead = LEADS.lock(lead)
    require(actor, "change", lead)
    if lead.status not in (LeadStatus.REGISTERED, LeadStatus.CHECKING, LeadStatus.FILED):
        raise RuleViolation(_("Files are added to a lead while it is checked."), rule="lead_concluded")
    attachment = _attach(blob=blob, name=name, actor=actor, lead=lead)
    LEADS.record(
        lead,
        "lead.file_attached",
        actor=actor,
        data={"file": attachment.original_name},
        after={"name": attachment.original_name, "sha256": blob.sha256},
    )
    case = Case.objects.filter(lead=lead, state__in=EVIDENCE_STATES).first()
    if case is not None:
        lead_files_to_evidence(case=case, actor=actor, attachments=[attachment])
    return attachment


def _kind_of(blob: StoredFile) -> str:
    major = blob.content_type.split("/", 1)[0]
    return EvidenceKind.AUDIOVISUAL if major in ("image", "video", "audio") else EvidenceKind.DOCUMENTARY


def lead_files_to_evidence(*, case: Case, actor: User, attachments: Sequence[Attachment]) -> list[Evidence]:
    """The files of the lead a case grew from become evidence items of the case (APL Art. 46).

    Each file is one item, collected on the day it was uploaded by whoever uploaded it; the bytes
    are the lead's own (the same stored file), so the case file and the lead never disagree.
    """
    if not attachments:
        return []
    seq = Evidence.objects.filter(case=case).aggregate(m=Max("seq"))["m"] or 0
    added = []
    for attachment in attachments:
        seq += 1
        evidence = Evidence.objects.create(
            case=case,
            seq=seq,
            kind=_kind_of(attachment.blob),
            title=_("Material of the lead: %(name)s") % {"name": attachment.original_name},
            description=_("Came with lead %(lead)s.") % {"lead": case.lead.reference if case.lead else ""},
            collected_on=timezone.localdate(attachment.uploaded_at),
            collected_by=attachment.uploaded_by,
        )
        _attach(blob=attachment.blob, name=attachment.original_name, actor=attachment.uploaded_by, evidence=evidence)
        added.append(evidence)
    CASES.record(
        case,
        "evidence.added",
        actor=actor,
        data={"seq": added[0].seq, "title": _("Files of the lead"), "files": [a.original_name for a in attachments]},
        after={"lead_files": [{"seq": e.seq, "title": e.title} for e in added]},
    )
    return added
