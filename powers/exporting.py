"""Exporting the catalogue as XLSX or CSV, in the format the import reads.

Views pass a queryset that already went through the permission chokepoint (or, for the
public pages, the published selector); this module only writes it. Rows are streamed from
the database in chunks; who holds each item comes with it in the same query.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterator
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from pengjiang_enforcement.tabular import stream_csv, write_xlsx

from .fileformat import EXPORT_WIDTHS, Lookups, RowWriter
from .models import Delegation, PowerItem

SAMPLE_NOTICE = "示例数据：本目录为演示而编制，不是官方公布的目录。"


def with_holders(items: QuerySet[PowerItem], day: datetime.date | None = None) -> QuerySet[PowerItem]:
    """Annotate ``holder_codes``: the townships holding each item (on ``day``, or with no end
    date when ``day`` is None: those that hold it now or will)."""
    held = Delegation.objects.filter(item=OuterRef("pk"))
    if day is None:
        held = held.filter(valid_to__isnull=True)
    else:
        held = held.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    codes = held.order_by().values("item").annotate(codes=ArrayAgg("township__code")).values("codes")
    return items.annotate(holder_codes=Subquery(codes)).select_related("department")


def rows(items: QuerySet[PowerItem], day: datetime.date | None = None) -> Iterator[list[Any]]:
    writer = RowWriter(Lookups.load())
    for number, item in enumerate(with_holders(items, day).iterator(chunk_size=2000), start=1):
        yield writer.row(number, item, item.department.name, item.holder_codes or [])


def filename(stem: str, extension: str, day: datetime.date) -> str:
    return f"{stem}-{day.isoformat()}.{extension}"


def xlsx_response(
    items: QuerySet[PowerItem], *, stem: str, day: datetime.date, sample: bool, holders_on: datetime.date | None = None
) -> FileResponse:
    """The catalogue as an XLSX download (a title row above the header marks sample data)."""
    # Not a context manager: the response streams the file and closes it when it is sent.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    write_xlsx(
        target,
        RowWriter.headers(),
        rows(items, holders_on),
        title=_("Catalogue"),
        widths=EXPORT_WIDTHS,
        preamble=[[SAMPLE_NOTICE]] if sample else (),
    )
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename(stem, "xlsx", day))


def csv_response(
    items: QuerySet[PowerItem], *, stem: str, day: datetime.date, sample: bool, holders_on: datetime.date | None = None
) -> StreamingHttpResponse:
    """The catalogue as a UTF-8 CSV with a BOM (Excel in China opens it correctly)."""
    stream = stream_csv(RowWriter.headers(), rows(items, holders_on), preamble=[[SAMPLE_NOTICE]] if sample else ())
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename(stem, "csv", day))
    return response
