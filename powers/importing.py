"""Importing the official catalogue from a spreadsheet: upload → preview → confirm → apply.

1. :func:`import_upload` keeps the file on a job row (nothing uploaded is lost) and queues
   the reading.
2. :func:`import_parse` (a Celery task) reads every row, reports each bad row with its row,
   column and reason, and compares the good rows with the catalogue: items to add, change,
   recall and re-delegate. Nothing is written to the catalogue.
3. :func:`import_confirm`: a district admin confirms a preview without errors.
4. :func:`import_apply` (a Celery task) turns each change into an adjustment with the import's
   effective date, reviewed and approved by the admin who confirmed; those due today are
   applied at once, the others on their date by the beat task — the same path as any
   adjustment. It works in chunks, each in its own transaction, and records how far it got,
   so a task delivered twice or a worker that dies resumes where it stopped.

Importing a file a second time finds nothing to change.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.jobs import job_enqueue, job_fail, job_progress, job_run
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import require, require_model
from pengjiang_enforcement.tabular import Limits, TableError, open_table
from pengjiang_enforcement.workdays import today as local_today

from .adjustments import adjustment_approve, adjustment_propose, adjustment_review
from .choices import AdjustmentKind, AdjustmentStatus, ImportStatus, ItemStatus
from .fileformat import COLUMNS, Lookups, ParsedRow, RowReader
from .models import Adjustment, CatalogueImport, Delegation, PowerItem
from .models.procedure import OPEN_ADJUSTMENT_STATUSES
from .rules import catalogue_effective_date, import_four_eyes
from .services import CHANGEABLE_FIELDS, current_values, item_values

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_STORED_ERRORS = 2000
APPLY_CHUNK = 25
PROGRESS_EVERY = 200
# Compared field by field; who holds the item is compared through the township list.
COMPARED_FIELDS = tuple(f for f in CHANGEABLE_FIELDS if f != "coverage")


# --- upload ----------------------------------------------------------------------------------
@transaction.atomic
def import_upload(
    *, actor: User, file: UploadedFile, effective_date: datetime.date, recall_missing: bool = False
) -> CatalogueImport:
    """Keep an uploaded catalogue file on a new job row and queue its reading."""
    require_model(actor, "add", CatalogueImport)
    catalogue_effective_date(effective_date, today=local_today())
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise RuleViolation(
            _("The file is larger than %(size)s MB."), rule="import_file_size", params={"size": MAX_UPLOAD_BYTES >> 20}
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    job = CatalogueImport(
        original_name=(file.name or "catalogue")[:255],
        sha256=digest.hexdigest(),
        effective_date=effective_date,
        recall_missing=recall_missing,
        created_by=actor,
    )
    job.file.save(file.name or "catalogue", file, save=False)
    job.save()
    audit_record(
        action="powers.import.uploaded",
        obj=job,
        actor=actor,
        after={
            "file": job.original_name,
            "sha256": job.sha256,
            "size": file.size,
            "effective_date": effective_date,
            "recall_missing": recall_missing,
        },
    )
    job_enqueue(job)
    return job


# --- reading and comparing -------------------------------------------------------------------
class Catalogue:
    """The catalogue as the comparison needs it, loaded in a handful of queries."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], PowerItem] = {
            (i.code, i.sub_code): i for i in PowerItem.objects.defer("search_vector").order_by()
        }
        self.holders: dict[int, set[str]] = {}
        for item_id, code in Delegation.objects.filter(valid_to__isnull=True).values_list("item_id", "township__code"):
            self.holders.setdefault(item_id, set()).add(code)
        self.open_by_item: dict[int, Adjustment] = {}
        self.open_adds: dict[tuple[str, str], Adjustment] = {}
        for adjustment in Adjustment.objects.filter(status__in=OPEN_ADJUSTMENT_STATUSES).prefetch_related("townships"):
            if adjustment.item_id:
                self.open_by_item[adjustment.item_id] = adjustment
            elif adjustment.kind == AdjustmentKind.ADD:
                data = adjustment.proposed_data.get("item", {})
                self.open_adds[(data.get("code", ""), data.get("sub_code", ""))] = adjustment

    def target_of(self, adjustment: Adjustment, item: PowerItem | None) -> tuple[dict[str, Any], set[str], str]:
        """What an open adjustment will make of an item: its fields, holders and status."""
        codes = {t.code for t in adjustment.townships.all()}
        if adjustment.kind == AdjustmentKind.ADD:
            return dict(adjustment.proposed_data.get("item", {})), codes, ItemStatus.IN_FORCE
        assert item is not None, "only an added item has no row yet"
        values = current_values(item)
        holders = set(self.holders.get(item.pk, set()))
        if adjustment.kind == AdjustmentKind.CHANGE:
            values.update(adjustment.proposed_data.get("changes", {}))
            holders |= set(adjustment.proposed_data.get("add_townships", []))
            holders -= set(adjustment.proposed_data.get("remove_townships", []))
        elif adjustment.kind == AdjustmentKind.RECALL:
            holders -= codes
        else:
            holders |= codes
        return values, holders, ItemStatus.IN_FORCE if holders else ItemStatus.RECALLED


def _differences(values: dict[str, Any], row: ParsedRow) -> dict[str, Any]:
    """The fields the row carries that differ from ``values`` (a column the file lacks changes
    nothing)."""
    return {
        k: row.values[k]
        for k in COMPARED_FIELDS
        if k in row.carried and k in row.values and row.values[k] != values.get(k)
    }


def _emptied(changes: dict[str, Any], row: ParsedRow, current: dict[str, Any]) -> list[str]:
    """The fields a change empties because the row's cell is empty while the item has a value."""
    return sorted(k for k in changes if k in row.empty and current.get(k) not in (None, "", [], False))


def _action_for(row: ParsedRow, item: PowerItem | None, catalogue: Catalogue) -> dict[str, Any] | None:
    """What it takes to make the catalogue say what the row says (None: it already does)."""
    base = {"row": row.number, "code": row.values["code"], "sub_code": row.values["sub_code"]}
    if item is None:
        if row.status == ItemStatus.RECALLED:
            return None  # a recalled item we never had: nothing to do
        return {**base, "type": AdjustmentKind.ADD, "name": row.values["name"], "values": row.values,
                "townships": row.townships}  # fmt: skip
    base |= {"item": item.pk, "name": item.name}
    holders = catalogue.holders.get(item.pk, set())
    if row.status_carried and row.status == ItemStatus.RECALLED:
        if item.status == ItemStatus.IN_FORCE and holders:
            return {**base, "type": AdjustmentKind.RECALL, "townships": sorted(holders)}
        return None
    current = current_values(item)
    changes = _differences(current, row)
    # Without a township column the file says nothing about who holds the item.
    add = [c for c in row.townships if c not in holders] if row.townships_carried else []
    remove = sorted(holders - set(row.townships)) if row.townships_carried else []
    if not changes and not add and not remove:
        return None
    if not changes and not remove:
        return {**base, "type": AdjustmentKind.REDELEGATE, "townships": add}
    if not changes and not add:
        return {**base, "type": AdjustmentKind.RECALL, "townships": remove}
    return {**base, "type": AdjustmentKind.CHANGE, "values": changes, "before": {k: current.get(k) for k in changes},
            "add_townships": add, "remove_townships": remove, "emptied": _emptied(changes, row, current)}  # fmt: skip


def compare(parsed: list[ParsedRow], catalogue: Catalogue, *, recall_missing: bool) -> dict[str, Any]:
    """The actions that make the catalogue match the file, and the rows that cannot be done.

    Returns ``{"actions": [...], "counts": {...}, "errors": [...]}``. A row the catalogue
    already matches is unchanged. A row that differs from an item with an open adjustment is
    "scheduled" when the adjustment will make the item so, and an error otherwise: two
    pending changes to one item could contradict each other.
    """
    actions: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for row in parsed:
        seen.add(row.key)
        item = catalogue.items.get(row.key)
        action = _action_for(row, item, catalogue)
        if action is None:
            counts["unchanged"] += 1
            continue
        open_adjustment = catalogue.open_by_item.get(item.pk) if item else catalogue.open_adds.get(row.key)
        if open_adjustment is None:
            actions.append(action)
            continue
        values, holders, status = catalogue.target_of(open_adjustment, item)
        if status == row.status and (
            status == ItemStatus.RECALLED or (not _differences(values, row) and holders == set(row.townships))
        ):
            counts["scheduled"] += 1
        else:
            errors.append(
                {
                    "row": row.number,
                    "column": "",
                    "message": _(
                        "%(code)s already has an open adjustment (no. %(number)s) that this row contradicts; "
                        "finish or withdraw it first."
                    )
                    % {"code": _full(row), "number": open_adjustment.pk},
                }
            )
    if recall_missing:
        for key, item in sorted(catalogue.items.items()):
            if key in seen or item.status != ItemStatus.IN_FORCE or not catalogue.holders.get(item.pk):
                continue
            if item.pk in catalogue.open_by_item:
                pending = catalogue.open_by_item[item.pk]
                if catalogue.target_of(pending, item)[2] == ItemStatus.RECALLED:
                    counts["scheduled"] += 1  # already being recalled
                    continue
                errors.append(
                    {
                        "row": None,
                        "column": "",
                        "message": _("%(code)s is missing from the file but has an open adjustment (no. %(number)s).")
                        % {"code": item.full_code, "number": catalogue.open_by_item[item.pk].pk},
                    }
                )
                continue
            actions.append(
                {"row": None, "code": item.code, "sub_code": item.sub_code, "item": item.pk, "name": item.name,
                 "type": AdjustmentKind.RECALL, "townships": sorted(catalogue.holders[item.pk]), "missing": True}
            )  # fmt: skip
    order = {AdjustmentKind.ADD: 0, AdjustmentKind.CHANGE: 1, AdjustmentKind.REDELEGATE: 2, AdjustmentKind.RECALL: 3}
    actions.sort(key=lambda a: (order[a["type"]], a["row"] is None, a["row"] or 0, a["code"], a["sub_code"]))
    counts.update(a["type"] for a in actions)
    emptying = sum(1 for a in actions if a.get("emptied"))
    if emptying:
        counts["emptying"] = emptying  # changes that empty a field: confirmed explicitly
    return {"actions": actions, "counts": dict(counts), "errors": errors}


def _full(row: ParsedRow) -> str:
    code, sub_code = row.key
    return f"{code}-{sub_code}" if sub_code else code


def read_file(
    stream, *, progress: Callable[[int, int], None] | None = None
) -> tuple[list[ParsedRow], list[dict[str, Any]], dict[str, Any]]:
    """Read a catalogue file: the good rows, every error, and what the file looked like.

    Raises TableError when the file as a whole cannot be read.
    """
    # The preview holds every good row in memory: the file's text is bounded more tightly.
    limits = Limits.from_settings(file_chars=settings.CATALOGUE_IMPORT_MAX_CHARS)
    total = sum(1 for _ in open_table(stream, COLUMNS, limits=limits))
    stream.seek(0)
    table = open_table(stream, COLUMNS, limits=limits)
    reader = RowReader(table.columns, table.headers, Lookups.load())
    good: list[ParsedRow] = []
    errors: list[dict[str, Any]] = []
    first_row: dict[tuple[str, str], int] = {}
    for index, row in enumerate(table, start=1):
        parsed = reader.read(row)
        # A repeated code is found whatever else is wrong with either row.
        if parsed.key[0] and parsed.key in first_row:
            parsed.errors.append(
                {
                    "row": row.number,
                    "column": reader.where("code"),
                    "message": _("The code %(code)s appears twice (first in row %(row)s).")
                    % {"code": _full(parsed), "row": first_row[parsed.key]},
                }
            )
        elif parsed.key[0]:
            first_row[parsed.key] = row.number
        if parsed.errors:
            errors.extend(parsed.errors)
        else:
            good.append(parsed)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, total)
    info = {
        "kind": table.kind,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "matched": [table.headers[i] for i in sorted(table.columns.values()) if i < len(table.headers)],
        "unknown": table.unknown_headers,
        "rows": total,
    }
    return good, errors, info


def import_parse(job_id: int) -> CatalogueImport | None:
    """Read an uploaded file and build its preview (the reading task). Writes nothing else.

    Runs again harmlessly: a job that is past reading is left alone.
    """

    def work(job: CatalogueImport) -> None:
        def progress(done: int, total: int) -> None:
            job_progress(job, progress=min(99, int(done * 100 / max(total, 1))))

        with job.file.open("rb") as stream:
            good, errors, info = read_file(stream, progress=progress)
        result = compare(good, Catalogue(), recall_missing=job.recall_missing)
        errors = sorted(errors + result["errors"], key=lambda e: (e["row"] is None, e["row"] or 0))
        preview = {"actions": result["actions"], "counts": result["counts"], "file": info}
        previous = list(
            CatalogueImport.objects.filter(sha256=job.sha256, status=ImportStatus.DONE)
            .exclude(pk=job.pk)
            .values_list("pk", flat=True)[:5]
        )
        if previous:
            preview["same_file_as"] = previous
        job_progress(
            job,
            status=ImportStatus.PREVIEWED,
            progress=100,
            total_rows=info["rows"],
            encoding=info["encoding"] or info["kind"],
            preview=preview,
            errors=errors[:MAX_STORED_ERRORS],
            summary={"errors": len(errors)},
            expected={"status": ImportStatus.READING},
        )

    return job_run(
        CatalogueImport,
        job_id,
        claim_from=(ImportStatus.QUEUED, ImportStatus.READING),
        status=ImportStatus.READING,
        work=work,
        known_errors=(TableError,),
        describe=lambda exc: (exc.code, exc.message),  # type: ignore[attr-defined]
        unexpected=str(
            gettext_lazy("The file could not be read. Check that it is an XLSX or CSV file of the catalogue.")
        ),
    )


# --- confirming and applying -----------------------------------------------------------------
@transaction.atomic
def import_confirm(*, actor: User, job: CatalogueImport, emptying_confirmed: bool = False) -> CatalogueImport:
    """Confirm a preview: its changes become approved adjustments (queued to the apply task).

    A preview with bad rows cannot be confirmed: the file is corrected and uploaded again. Changes
    that empty a field (an empty cell in a column the file has) need ``emptying_confirmed``: an
    empty cell is more often a gap in the file than a decision to remove a legal basis.
    """
    job = CatalogueImport.objects.select_for_update().get(pk=job.pk)
    require(actor, "change", job)
    if job.status != ImportStatus.PREVIEWED:
        raise RuleViolation(
            _("Only an import waiting for confirmation can be confirmed (this one is “%(status)s”)."),
            rule="import_transition",
            params={"status": job.get_status_display()},
        )
    if job.summary.get("errors"):
        raise RuleViolation(
            _("The file has %(count)s bad rows: correct them and upload the file again. Nothing was written."),
            rule="import_has_errors",
            params={"count": job.summary["errors"]},
        )
    emptying = job.preview.get("counts", {}).get("emptying", 0)
    if emptying and not emptying_confirmed:
        raise RuleViolation(
            _(
                "%(count)s changes empty a field of an item (an empty cell in the file): tick the box to confirm "
                "that these fields are to be emptied, or correct the file."
            ),
            rule="import_emptying_confirmed",
            params={"count": emptying},
        )
    import_four_eyes(job, actor)
    catalogue_effective_date(job.effective_date, today=local_today())
    actions = job.preview.get("actions", [])
    job.confirmed_by, job.confirmed_at = actor, timezone.now()
    job.status = ImportStatus.APPLYING if actions else ImportStatus.DONE
    job.progress = 0 if actions else 100
    if not actions:
        job.finished_at = timezone.now()
        job.summary = {**job.summary, "adjustments": 0, "applied": 0, "waiting": 0, "failed": 0}
    job.save()
    audit_record(
        action="powers.import.confirmed",
        obj=job,
        actor=actor,
        after={"changes": len(actions), "counts": job.preview.get("counts", {})},
    )
    if actions:
        job_enqueue(job)
    return job


@transaction.atomic
def import_cancel(*, actor: User, job: CatalogueImport) -> CatalogueImport:
    """Drop an import before it is confirmed (the file stays on the row)."""
    job = CatalogueImport.objects.select_for_update().get(pk=job.pk)
    require(actor, "change", job)
    if job.status not in {ImportStatus.QUEUED, ImportStatus.READING, ImportStatus.PREVIEWED}:
        raise RuleViolation(
            _("An import that is “%(status)s” cannot be cancelled."),
            rule="import_transition",
            params={"status": job.get_status_display()},
        )
    job.status, job.finished_at = ImportStatus.CANCELLED, timezone.now()
    job.save(update_fields=["status", "finished_at"])
    audit_record(action="powers.import.cancelled", obj=job, actor=actor, after={"status": job.status})
    return job


def _apply_action(job: CatalogueImport, action: dict[str, Any], townships: dict[str, Unit]) -> Adjustment:
    kind = action["type"]
    reason = _("Catalogue import no. %(number)s (%(file)s)") % {"number": job.pk, "file": job.original_name}
    if action.get("missing"):
        reason += _("; missing from the file")
    common = {
        "actor": job.created_by,
        "kind": kind,
        "reason": reason,
        "effective_date": job.effective_date,
        "catalogue_import": job,
    }
    item = PowerItem.objects.get(pk=action["item"]) if action.get("item") else None
    codes = [townships[c] for c in action.get("townships", [])]
    if kind == AdjustmentKind.ADD:
        adjustment = adjustment_propose(data=item_values(action["values"]), townships=codes, **common)
    elif kind == AdjustmentKind.CHANGE:
        adjustment = adjustment_propose(
            item=item,
            data=action["values"],
            add_townships=[townships[c] for c in action.get("add_townships", [])],
            remove_townships=[townships[c] for c in action.get("remove_townships", [])],
            **common,
        )
    else:
        adjustment = adjustment_propose(item=item, townships=codes, **common)
    note = _("Confirmed with catalogue import no. %(number)s.") % {"number": job.pk}
    confirmed_by = job.confirmed_by
    assert confirmed_by is not None, "only a confirmed import is applied"
    adjustment_review(actor=confirmed_by, adjustment=adjustment, note=note)
    return adjustment_approve(actor=confirmed_by, adjustment=adjustment, note=note)


def import_apply(job_id: int) -> CatalogueImport | None:
    """Turn a confirmed preview into adjustments, a chunk per transaction (the apply task).

    Safe to run twice or in two workers: the job is locked while a worker is on it, and each
    chunk starts after the changes already done. A change refused on the way stops the import with
    the reason; the changes before it stay made (each is a complete, audited adjustment).
    """

    def work(job: CatalogueImport) -> None:
        actions = job.preview.get("actions", [])
        townships = {t.code: t for t in Unit.objects.townships(active=None)}
        while True:
            position: int | None = None
            try:
                with transaction.atomic():
                    job = (
                        CatalogueImport.objects.select_for_update(of=("self",))
                        .defer("preview")
                        .select_related("created_by", "confirmed_by")
                        .get(pk=job_id)
                    )
                    if job.status != ImportStatus.APPLYING:
                        return
                    start = job.applied_rows
                    if start >= len(actions):
                        _finish(job)
                        return
                    done = start
                    for position in range(start, min(start + APPLY_CHUNK, len(actions))):
                        _apply_action(job, actions[position], townships)
                        done = position + 1
                    job_progress(job, applied_rows=done, progress=min(99, int(done * 100 / len(actions))))
            except RuleViolation as exc:
                action = actions[position] if position is not None else {}
                where = (
                    _("Row %(row)s (%(code)s)") % {"row": action.get("row"), "code": action.get("code")}
                    if action.get("row")
                    else action.get("code", "")
                )
                message = _("%(where)s: %(message)s %(done)s of %(total)s changes were made before it.") % {
                    "where": where,
                    "message": " ".join(exc.messages),
                    "done": CatalogueImport.objects.get(pk=job_id).applied_rows,
                    "total": len(actions),
                }
                job_fail(job, code=exc.rule, message=message)
                return

    return job_run(
        CatalogueImport,
        job_id,
        claim_from=(ImportStatus.APPLYING,),
        status=ImportStatus.APPLYING,
        work=work,
        unexpected=str(gettext_lazy("The import stopped on an unexpected error; the administrators were told.")),
    )


def _finish(job: CatalogueImport) -> CatalogueImport:
    statuses = Counter(Adjustment.objects.filter(catalogue_import=job).values_list("status", flat=True))
    job.summary = {
        **job.summary,
        "adjustments": sum(statuses.values()),
        "applied": statuses.get(AdjustmentStatus.APPLIED, 0),
        "waiting": statuses.get(AdjustmentStatus.APPROVED, 0),
        "failed": statuses.get(AdjustmentStatus.FAILED, 0),
    }
    job_progress(job, summary=job.summary, status=ImportStatus.DONE, progress=100, finished_at=timezone.now())
    audit_record(action="powers.import.applied", obj=job, actor=job.confirmed_by, after=job.summary)
    return job
