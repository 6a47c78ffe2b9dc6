"""XLSX export of a case list: the kernel's streaming writer, rows fetched in chunks.

The queryset comes from the queue's filter set, so it already went through the chokepoint;
identity numbers are masked as in every list. The export stops at ``CASES_EXPORT_MAX_ROWS`` and
says so in its last row.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from pengjiang_enforcement.tabular import write_xlsx
from pengjiang_enforcement.templatetags.portal import mask_id

from .choices import CaseState, LeadSource
from .models import Case, CaseOfficer, Party

CHUNK = 2000


def _headers() -> list[str]:
    return [
        _("Case number"),
        _("Cause of action"),
        _("Township"),
        _("State"),
        _("Item code"),
        _("Power item"),
        _("Parties"),
        _("Identity numbers (masked)"),
        _("Source"),
        _("Date of the act"),
        _("Filed on"),
        _("Decision due on"),
        _("Next deadline"),
        _("Handling officers"),
    ]


def _row(case: Case) -> list[Any]:
    parties = list(case.parties.all())
    return [
        case.number or _("(awaiting approval)"),
        case.title,
        case.township.short_name,
        str(CaseState(case.state).label),
        case.power_item.full_code,
        case.power_item.name,
        "、".join(p.name for p in parties),
        "、".join(mask_id(p.identity_key) for p in parties if p.identity_key),
        str(LeadSource(case.source).label),
        case.act_date,
        case.filed_on,
        case.decision_due,
        case.next_due_on,
        "、".join(str(link.user) for link in case.officer_links.all()),
    ]


def cases_xlsx(queryset: QuerySet[Case], *, max_rows: int | None = None) -> tuple[IO[bytes], int, bool]:
    """Write the cases of ``queryset`` to an XLSX file; return (file, rows written, truncated)."""
    limit = max_rows or settings.CASES_EXPORT_MAX_ROWS
    cases = (
        queryset.select_related("township", "power_item")
        .only(
            "id", "number", "title", "state", "source", "act_date", "filed_on", "decision_due", "next_due_on",
            "township__short_name", "power_item__code", "power_item__sub_code", "power_item__name",
        )
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.only("id", "case_id", "name", "identity_key").order_by("id")),
            Prefetch("officer_links", queryset=CaseOfficer.objects.select_related("user").order_by("id")),
        )
    )  # fmt: skip
    state = {"written": 0, "truncated": False}

    def rows() -> Iterator[list[Any]]:
        for case in cases[: limit + 1].iterator(chunk_size=CHUNK):
            if state["written"] == limit:
                state["truncated"] = True
                yield [
                    _("The list goes on: narrow the filters to export the rest (at most %(max)s rows).")
                    % {"max": limit}
                ]
                return
            state["written"] += 1
            yield _row(case)

    # The FileResponse that sends it closes it.
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(handle, _headers(), rows(), title=_("Cases"))
    handle.seek(0)
    return handle, int(state["written"]), bool(state["truncated"])
