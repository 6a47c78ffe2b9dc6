"""Reading and writing the spreadsheets people exchange: XLSX and CSV, as Chinese offices save them.

Imports (the catalogue, 12345 hotline exports) share the same troubles: CSV saved by Chinese
Excel in GBK/GB18030, UTF-8 with or without a BOM, a title row merged above the header,
column names that differ between templates, Excel artefacts (``_x000D_``), full-width digits,
trailing empty columns, and files of 100,000 rows that must not be loaded into memory at once.

:func:`open_table` looks at the bytes (not the file name) to tell XLSX from CSV from anything
else, finds the header row, matches columns by their aliases, and streams rows as dicts keyed
by our own column keys, each with its spreadsheet row number for error reports.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .tabular_limits import (  # TableError and Limits are the kernel's, imported from here
    Limits,
    TableError,
    TextBudget,
    WorkbookArchive,
    cell_too_long,
    check_shared_strings,
    check_sheet,
    damaged_workbook,
)
from .text import halfwidth

# How many rows from the top may hold titles and notes before the header row.
HEADER_SEARCH_ROWS = 20
_SNIFF_BYTES = 64 * 1024
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class Column:
    """A column we understand, with the names different templates give it."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False

    @property
    def label(self) -> str:
        return self.aliases[0]


@dataclass
class Row:
    number: int  # the row number as the spreadsheet shows it (1-based)
    values: dict[str, str]  # our column key -> cleaned text ("" when empty)
    raw: list[Any]  # the cells exactly as read


@dataclass
class Table:
    """An opened table: its format, encoding, header and a stream of rows."""

    kind: str  # "xlsx" or "csv"
    encoding: str  # "" for xlsx
    header_row: int
    columns: dict[str, int]  # our key -> cell index
    headers: list[str]  # the header cells as written
    unknown_headers: list[str] = field(default_factory=list)
    rows: Iterator[Row] = field(default_factory=lambda: iter(()))
    sheet: str = ""

    def __iter__(self) -> Iterator[Row]:
        return self.rows


# --- cell text ---------------------------------------------------------------------------------
def unescape_excel(text: str) -> str:
    """Undo Excel's ``_x000D_`` style escapes (carriage returns and other control characters)."""
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def clean_text(value: Any) -> str:
    """A cell as trimmed text: Excel escapes undone, CR removed, floats like 12.0 made 12."""
    if value is None:
        return ""
    if type(value) is str and "_x" not in value and "\r" not in value and "\ufeff" not in value:
        return value.strip()  # the common case, without the escapes' regular expression
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = unescape_excel(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\ufeff", "").strip()


def normalise_header(text: Any) -> str:
    """A header as we compare it: no spaces, no asterisks, no notes in brackets, half-width."""
    text = halfwidth(clean_text(text)).lower()
    text = re.sub(r"[(\[【（].*?[)\]】）]", "", text)
    return re.sub(r"[\s*:：_\-]+", "", text)


# --- values ------------------------------------------------------------------------------------
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_DATETIME_PATTERN = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]*(\d{1,2})[:时](\d{1,2})分?(?::?(\d{1,2})秒?)?(?:\.\d+)?$"
)
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


@functools.cache
def _default_zone() -> datetime.tzinfo:
    """The portal's zone (Asia/Shanghai): dates in files without a zone are read in it.

    Looked up once: an import reads it for every date of every row, and Django's
    ``get_current_timezone`` goes through a context-local lookup each time.
    """
    return timezone.get_default_timezone()


_EXCEL_EPOCH_1904 = datetime.datetime(1904, 1, 1)


def excel_datetime(serial: float, *, date1904: bool = False) -> datetime.datetime | str:
    """A date cell's serial number as Excel shows it, to the nearest second.

    Excel's 1900 date system counts a 29 February 1900 that never was (serial 60), as Lotus 1-2-3
    did: serials 1 to 59 (1900-01-01 to 1900-02-28) are one day later than a plain count from
    1899-12-30 gives. Serial 60 has no date: it comes back as the text Excel shows ("1900-02-29"),
    which no date parser accepts, so the row that holds it reports it. OverflowError for a serial
    past the year 9999.
    """
    if date1904:
        return _EXCEL_EPOCH_1904 + datetime.timedelta(seconds=round(serial * 86400))
    if 60 <= serial < 61:
        moment = datetime.datetime(1900, 2, 28) + datetime.timedelta(seconds=round((serial - 60) * 86400))
        return "1900-02-29" + (moment.strftime(" %H:%M:%S") if moment.time() != datetime.time() else "")
    if 1 <= serial < 60:
        serial += 1
    return _EXCEL_EPOCH + datetime.timedelta(seconds=round(serial * 86400))


def parse_date(value: Any) -> datetime.date | None:
    """A date from the forms spreadsheets use; None when empty; ValueError when unreadable."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial date
        return (_EXCEL_EPOCH + datetime.timedelta(days=float(value))).date()
    text = halfwidth(clean_text(value))
    if not text:
        return None
    found = _DATETIME_PATTERN.match(text)
    if found:
        return datetime.date(int(found[1]), int(found[2]), int(found[3]))
    for pattern in _DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            return datetime.date(int(found[1]), int(found[2]), int(found[3]))
    raise ValueError(text)


def parse_datetime(value: Any) -> datetime.datetime | None:
    """An aware datetime (Asia/Shanghai when the text has no zone); a bare date is midnight."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, (int, float)) and 20000 < value < 80000:
        moment = _EXCEL_EPOCH + datetime.timedelta(days=float(value))
    else:
        text = halfwidth(clean_text(value))
        if not text:
            return None
        found = _DATETIME_PATTERN.match(text)
        if found:
            moment = datetime.datetime(
                int(found[1]), int(found[2]), int(found[3]), int(found[4]), int(found[5]), int(found[6] or 0)
            )
        else:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        # What make_aware does for a zoneinfo zone, without looking the zone up on every call.
        moment = moment.replace(tzinfo=_default_zone())
    return moment


def parse_decimal(value: Any) -> Decimal | None:
    """A number written as 1,000 / １０００ / 1000元 / 1000.00; None when empty; ValueError if not."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = halfwidth(clean_text(value)).replace(",", "").replace("元", "").replace("¥", "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def parse_bool(value: Any) -> bool | None:
    text = halfwidth(clean_text(value)).lower()
    if text in {"是", "y", "yes", "true", "1", "√", "✓"}:
        return True
    if text in {"否", "n", "no", "false", "0", "×", ""}:
        return False if text else None
    raise ValueError(text)


# --- detecting the file ------------------------------------------------------------------------
def _head(stream: IO[bytes]) -> bytes:
    position = stream.tell()
    head = stream.read(_SNIFF_BYTES)
    stream.seek(position)
    return head


def detect_kind(stream: IO[bytes]) -> str:
    """ "xlsx" or "csv" by content; TableError for anything else (an empty file, a PDF, ...)."""
    head = _head(stream)
    if not head.strip():
        raise TableError(_("The file is empty."), code="empty_file")
    if head.startswith(b"PK\x03\x04"):
        # A workbook cut short has no directory: it is a damaged workbook, not some other ZIP.
        try:
            with WorkbookArchive(stream) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        finally:
            stream.seek(0)
        raise TableError(_("The file is a ZIP archive but not an Excel workbook (.xlsx)."), code="not_spreadsheet")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(
            _("Old Excel files (.xls) cannot be read: open the file in Excel and save it as .xlsx or CSV."),
            code="old_xls",
        )
    if b"\x00" in head[:4096] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError(_("The file is not a spreadsheet (XLSX or CSV)."), code="not_spreadsheet")
    return "csv"


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030 (a superset of GBK)."""
    head = _head(stream)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            # final=False: a character cut in two at the end of the sample is not an error
            decoder.decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise TableError(
        _("The file is in an unexpected encoding: save it as UTF-8 or GBK (GB18030) CSV, or as XLSX."),
        code="unknown_encoding",
    )


# --- reading ---------------------------------------------------------------------------------
def _match_header(cells: Sequence[Any], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    """Our column keys → cell index, and the headers left unused. Where two headers name the same
    column, the one earlier in the column's aliases is used (事项分类一级 over 一级分类), whatever
    their order in the file; the other is unused."""
    lookup = {
        normalise_header(alias): (column.key, rank) for column in columns for rank, alias in enumerate(column.aliases)
    }
    found: dict[str, tuple[int, int]] = {}  # key → (rank of the alias, index)
    unused: list[int] = []
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        if not name:
            continue
        hit = lookup.get(name)
        if hit is None:
            unused.append(index)
            continue
        key, rank = hit
        if key not in found:
            found[key] = (rank, index)
        elif rank < found[key][0]:
            unused.append(found[key][1])
            found[key] = (rank, index)
        else:
            unused.append(index)
    return {key: index for key, (_rank, index) in found.items()}, [clean_text(cells[i]) for i in sorted(unused)]


def plausible_day(day: datetime.date | datetime.datetime, *, today: datetime.date | None = None) -> bool:
    """Whether a date read from a file can be meant: from ``IMPORT_DATE_MIN`` (2000-01-01) to
    ``IMPORT_DATE_MAX_DAYS_AHEAD`` days (a year) after today. Exports write 0001-01-01 or
    9999-12-31 for "no date"; such a value must never reach a deadline or a page. An import
    passes ``today`` once for all its rows."""
    from django.conf import settings

    if isinstance(day, datetime.datetime):
        zone = _default_zone()
        day = day.date() if day.tzinfo is None or day.tzinfo is zone else day.astimezone(zone).date()
    latest = (today or timezone.localdate()) + datetime.timedelta(days=settings.IMPORT_DATE_MAX_DAYS_AHEAD)
    return settings.IMPORT_DATE_MIN <= day <= latest


def overlong_cells(values: dict[str, str]) -> list[tuple[str, int]]:
    """The (column, length) of cells longer than ``IMPORT_MAX_CELL_CHARS`` (Excel's own limit): a
    row holding one is refused, whatever the column, so nothing is stored cut short."""
    from django.conf import settings

    limit = settings.IMPORT_MAX_CELL_CHARS
    return [(key, len(text)) for key, text in values.items() if len(text) > limit]


def _bounded_lines(text: IO[str], limit: int) -> Iterator[str]:
    """The lines of a text, each refused before it is read whole when it is longer than ``limit``."""
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise cell_too_long(number, limit)
        yield line


def _rows_of_csv(stream: IO[bytes], encoding: str, limits: Limits) -> Iterator[list[str]]:
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    sample = text.read(8192)
    text.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    # Python's own limit on a field (128 KB) would stop the file at the first long cell; a cell up
    # to the table limit is read, and a row with an overlong cell is refused as a row
    # (``overlong_cells``).
    csv.field_size_limit(limits.cell_chars)
    reader = csv.reader(_bounded_lines(text, 2 * limits.cell_chars), dialect)
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise TableError(
            _("The file is not consistently encoded as %(encoding)s (a damaged or mixed file).")
            % {"encoding": encoding},
            code="unknown_encoding",
        ) from exc
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise cell_too_long(reader.line_num, limits.cell_chars) from exc
        raise TableError(
            _("The CSV file cannot be read at line %(line)s: it is damaged.") % {"line": reader.line_num},
            code="damaged_csv",
        ) from exc
    finally:
        with contextlib.suppress(ValueError):  # the stream may be closed before the rows are
            text.detach()


def _rows_of_xlsx(stream: IO[bytes], sheet: str | None, limits: Limits) -> tuple[str, Iterator[Sequence[Any]], Any]:
    """openpyxl's read-only reader, fed through the guarded archive: the shared strings and the
    sheet are walked once first (nothing kept) so that openpyxl never builds what the limits
    refuse, and the sheet's declared dimension (which can claim a million rows of 16,384
    columns, each then padded) is ignored."""
    archive = WorkbookArchive(stream, limits)
    try:
        check_shared_strings(archive, limits)
        reader = _guarded_reader()(archive)
        reader.read()
        workbook = reader.wb
    except TableError:
        archive.close()
        raise
    except Exception as exc:
        archive.close()
        raise damaged_workbook() from exc
    worksheet = workbook[sheet] if sheet and sheet in workbook.sheetnames else workbook.worksheets[0]
    try:
        check_sheet(archive, worksheet._worksheet_path, limits)
    except TableError:
        workbook.close()
        raise
    worksheet.reset_dimensions()
    # openpyxl reads serial 60 (Excel's 29 February 1900) as 1900-02-28: date cells are read as
    # numbers and converted by ``excel_datetime`` instead (durations are left to openpyxl).
    workbook._date_formats = set(workbook._timedelta_formats)
    date1904 = workbook.epoch != _EXCEL_EPOCH

    def rows() -> Iterator[Sequence[Any]]:
        try:
            for cells in worksheet.iter_rows():
                yield tuple(_xlsx_cell(cell, date1904) for cell in cells)
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, SyntaxError) as exc:
            raise damaged_workbook() from exc

    return worksheet.title, rows(), workbook


def _xlsx_cell(cell: Any, date1904: bool) -> Any:
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and cell.is_date:
        try:
            return excel_datetime(value, date1904=date1904)
        except OverflowError:
            return "#VALUE!"  # what openpyxl makes of a date serial past the year 9999
    return value


@functools.cache
def _guarded_reader() -> type:
    from openpyxl.reader.excel import ExcelReader

    class GuardedExcelReader(ExcelReader):
        """openpyxl's reader on an archive that is already open (and checked)."""

        def __init__(self, archive: zipfile.ZipFile) -> None:
            self.archive = archive
            self.valid_files = archive.namelist()
            self.read_only = True
            self.keep_vba = False
            self.data_only = True
            self.keep_links = False
            self.rich_text = False
            self.shared_strings: list[str] = []

    return GuardedExcelReader


def _budgeted(rows: Iterable[Sequence[Any] | None], budget: TextBudget) -> Iterator[Sequence[Any] | None]:
    for number, cells in enumerate(rows, start=1):
        if cells:
            budget.row(number, cells)
        yield cells


def open_table(
    stream: IO[bytes],
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    header_search_rows: int = HEADER_SEARCH_ROWS,
    xlsx_reader: Callable[[IO[bytes], str | None, Limits], tuple[str, Iterator[Sequence[Any]], Any]] | None = None,
    limits: Limits | None = None,
) -> Table:
    """Open a spreadsheet and find its header; the returned table streams its data rows.

    Raises TableError when the file is not a spreadsheet, its encoding is unknown, or no row
    carries the required columns (the message names the missing ones). ``xlsx_reader`` replaces
    openpyxl for XLSX files: (stream, sheet, limits) -> (sheet title, rows of cell values,
    closable). ``limits`` (the configured ones by default) bound what is read; past one of them
    the file is refused with a TableError, when opened or while its rows stream.
    """
    limits = limits or Limits.from_settings()
    kind = detect_kind(stream)
    encoding = ""
    workbook = None
    if kind == "xlsx":
        sheet_name, rows_read, workbook = (xlsx_reader or _rows_of_xlsx)(stream, sheet, limits)
    else:
        encoding = detect_encoding(stream)
        sheet_name, rows_read = "", _rows_of_csv(stream, encoding, limits)
    raw_rows = _budgeted(rows_read, TextBudget(limits))

    required = [c for c in columns if c.required]
    best: tuple[int, dict[str, int], list[str], list[Any]] | None = None
    buffered: list[tuple[int, Any]] = []
    number = 0
    try:
        for cells in raw_rows:
            number += 1
            found, unknown = _match_header(cells or (), columns)
            if best is None or len(found) > len(best[1]):
                best = (number, found, unknown, list(cells or ()))
            buffered.append((number, cells))
            if all(c.key in found for c in required) and found:
                break
            if number >= header_search_rows:
                break
    except TableError:
        if workbook is not None:
            workbook.close()
        raise
    if best is None or not best[1]:
        if workbook is not None:
            workbook.close()
        raise TableError(_("No header row with known column names was found in the file."), code="no_header")
    header_row, found, unknown, header_cells = best
    missing = [c.label for c in required if c.key not in found]
    if missing:
        if workbook is not None:
            workbook.close()
        raise TableError(
            _("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)}, code="missing_columns"
        )

    def data_rows() -> Iterator[Row]:
        try:
            for row_number, cells in buffered:
                if row_number > header_row:
                    row = _row(row_number, cells, found)
                    if row is not None:
                        yield row
            row_number = number
            for cells in raw_rows:
                row_number += 1
                row = _row(row_number, cells, found)
                if row is not None:
                    yield row
        finally:
            if workbook is not None:
                workbook.close()

    return Table(
        kind=kind,
        encoding=encoding,
        header_row=header_row,
        columns=found,
        headers=[clean_text(c) for c in header_cells],
        unknown_headers=unknown,
        rows=data_rows(),
        sheet=sheet_name,
    )


def _row(number: int, cells: Sequence[Any] | None, columns: dict[str, int]) -> Row | None:
    cells = list(cells or ())
    while cells and clean_text(cells[-1]) == "":
        cells.pop()  # trailing empty columns
    if not cells:
        return None
    values = {key: clean_text(cells[index]) if index < len(cells) else "" for key, index in columns.items()}
    if not any(values.values()):
        return None
    return Row(number=number, values=values, raw=cells)


# --- writing ---------------------------------------------------------------------------------
# Every XLSX and CSV the portal writes goes through ``write_xlsx`` or ``stream_csv``. Text from
# users (a party's name, a hotline request) may begin like a formula (``=cmd|' /C calc'!A0``,
# ``+1``, ``-1``, ``@SUM(1)``, or a tab or carriage return before one) or carry characters XML
# cannot hold (``\x07``): the first is written as text, the second removed.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE), lone surrogates and
# the two non-characters U+FFFE and U+FFFF.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel's longest cell.
XLSX_MAX_CELL_CHARS = 32767


def writable_text(text: str) -> str:
    """Text without the characters a spreadsheet cannot carry."""
    return _UNWRITABLE.sub("", text)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def write_xlsx(
    target: IO[bytes] | str | Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] | None = None,
    preamble: Iterable[Sequence[Any]] = (),
) -> int:
    """Write rows to an XLSX file in write-only (streaming) mode; returns the number of rows.

    Text is written as text, whatever it begins with; characters XML cannot carry are removed and
    a cell is cut at Excel's 32,767 characters. Numbers and dates are written as they are.
    ``preamble`` rows (a title, a notice) go above the header; :func:`open_table` finds the
    header under them when the file is read back.
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=writable_text(title)[:31] or "Sheet1")
    for index, width in enumerate(widths or []):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = width

    def cell(value: Any) -> Any:
        value = _plain(value)
        if not isinstance(value, str):
            return value
        text = writable_text(value)[:XLSX_MAX_CELL_CHARS]
        if not text.startswith(FORMULA_START):
            return text
        written = WriteOnlyCell(sheet, value=text)
        written.data_type = "s"  # openpyxl would make "=..." a formula
        return written

    bold = Font(bold=True)
    for line in preamble:
        sheet.append([cell(v) for v in line])
    header_cells = []
    for text in headers:
        header = WriteOnlyCell(sheet, value=writable_text(str(text)))
        header.data_type = "s"
        header.font = bold
        header_cells.append(header)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([cell(v) for v in row])
        count += 1
    workbook.save(target)
    return count


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if not isinstance(value, str):
        return value
    text = writable_text(value)
    # A leading apostrophe is how Excel itself marks "this is text, not a formula".
    return "'" + text if text.startswith(FORMULA_START) else text


def stream_csv(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, preamble: Iterable[Sequence[Any]] = ()
) -> Iterator[bytes]:
    """A CSV file as a stream of bytes: UTF-8 with a BOM (Excel in China opens it correctly),
    text beginning like a formula prefixed with ``'``, characters XML cannot carry removed (as in
    the XLSX files, so both say the same)."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8
    for line in preamble:
        yield writer.writerow([_csv_value(v) for v in line]).encode()
    yield writer.writerow([_csv_value(v) for v in headers]).encode()
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row]).encode()
