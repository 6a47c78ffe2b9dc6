"""What the spreadsheet readers accept: bounds on size, rows, columns and text, and a guarded ZIP.

An XLSX file is a ZIP archive of XML parts; a few hundred kilobytes can declare a sheet of a
million rows, unpack to gigabytes (a "ZIP bomb") or hold a shared string that every cell repeats.
Everything a reader keeps in memory is bounded here, and a file past a bound is refused as a
whole with a :class:`TableError` that says which bound it passed:

- :class:`WorkbookArchive` reads the archive's central directory only after checking its size and
  its number of parts, refuses parts that declare more than ``TABLE_MAX_UNZIPPED_BYTES`` together
  or a compression ratio above ``TABLE_MAX_RATIO``, and unpacks only deflated or stored parts
  (``zipfile`` never unpacks more of such a part than it declares: it stops there and fails the
  checksum);
- :class:`SheetGuard` is told of every row, cell and piece of text while a sheet's XML is parsed
  and refuses a column past ``TABLE_MAX_COLUMNS`` or a cell past ``TABLE_MAX_CELL_CHARS`` before
  the cell is built;
- :class:`TextBudget` counts the rows and the text of every reader (CSV included) as they come;
- :func:`check_shared_strings` looks at the declared number of shared strings before reading one.

The limits come from the settings (see the configuration table of the README).
"""

from __future__ import annotations

import dataclasses
import struct
import zipfile
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _

# An archive with more parts, or a larger central directory, is refused before it is read: the
# directory is loaded whole by ``zipfile`` (a workbook has a few dozen parts).
MAX_PARTS = 10_000
MAX_DIRECTORY_BYTES = 8 * 1024 * 1024
# The compression ratio is judged on parts that unpack to at least this much.
RATIO_FROM_BYTES = 1024 * 1024
# Parts other than sheets and shared strings (workbook, styles, relationships, theme) are parsed
# whole by openpyxl; a real one is well under a megabyte.
MAX_OTHER_XML_BYTES = 16 * 1024 * 1024
# expat keeps a tag, an attribute or a comment whole until it ends (text it hands over in pieces):
# one larger than this is refused, so that a megabyte-long attribute cannot grow without bound.
MAX_TOKEN_BYTES = 16 * 1024 * 1024
# Excel's own last row: a row number past it is not a spreadsheet Excel wrote.
EXCEL_MAX_ROW = 1_048_576
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_TAIL = 22 + 65535 + 20
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CHUNK = 256 * 1024


class TableError(Exception):
    """The file as a whole cannot be read: wrong type, unknown encoding, no header, too large."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclasses.dataclass(frozen=True)
class Limits:
    """The bounds of one read (``from_settings`` for the configured ones)."""

    unzipped_bytes: int
    ratio: int
    rows: int
    columns: int
    cell_chars: int
    shared_strings: int
    shared_string_chars: int
    file_chars: int

    @classmethod
    def from_settings(cls, *, file_chars: int | None = None) -> Limits:
        """The configured limits; ``file_chars`` tightens the total text (never loosens it)."""
        from django.conf import settings

        configured = settings.TABLE_MAX_FILE_CHARS
        return cls(
            unzipped_bytes=settings.TABLE_MAX_UNZIPPED_BYTES,
            ratio=settings.TABLE_MAX_RATIO,
            rows=settings.TABLE_MAX_ROWS,
            columns=settings.TABLE_MAX_COLUMNS,
            cell_chars=settings.TABLE_MAX_CELL_CHARS,
            shared_strings=settings.TABLE_MAX_SHARED_STRINGS,
            shared_string_chars=settings.TABLE_MAX_SHARED_STRING_CHARS,
            file_chars=min(configured, file_chars) if file_chars else configured,
        )


def damaged_workbook() -> TableError:
    return TableError(
        _(
            "The Excel file is damaged or incomplete (it may have been cut short while being copied): "
            "open it in Excel, save it again and upload the new file."
        ),
        code="damaged_xlsx",
    )


def _suspicious(reason: str) -> TableError:
    return TableError(
        _("The Excel file is refused: %(reason)s. Open it in Excel, save it again and upload the new file.")
        % {"reason": reason},
        code="suspicious_xlsx",
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}"


def too_large(limit: int) -> TableError:
    return TableError(
        _("The Excel file unpacks to more than %(size)s MB: split it into smaller files.")
        % {"size": _megabytes(limit)},
        code="too_large",
    )


def _check_directory(stream: IO[bytes]) -> None:
    """Refuse a central directory too large to load, before ``zipfile`` loads it."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - _TAIL))
    tail = stream.read()
    stream.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise damaged_workbook()
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    locator = tail.rfind(_EOCD64_LOCATOR, 0, at)
    if locator >= 0 and at - locator == 20:
        (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        stream.seek(offset)
        record = stream.read(56)
        stream.seek(0)
        if len(record) < 56 or not record.startswith(_EOCD64):
            raise damaged_workbook()
        entries, directory = struct.unpack("<QQ", record[32:48])
    if entries > MAX_PARTS:
        raise _suspicious(_("it has more than %(count)s parts") % {"count": f"{MAX_PARTS:,}"})
    if directory > MAX_DIRECTORY_BYTES:
        size = _megabytes(MAX_DIRECTORY_BYTES)
        raise _suspicious(_("its table of contents is larger than %(size)s MB") % {"size": size})


def _is_other_xml(name: str) -> bool:
    lower = name.lower()
    if not lower.endswith((".xml", ".rels")):
        return False
    return "worksheets/" not in lower and not lower.endswith("sharedstrings.xml")


class WorkbookArchive(zipfile.ZipFile):
    """A ZIP archive read only after its directory and the sizes its parts declare are checked."""

    def __init__(self, stream: IO[bytes], limits: Limits | None = None) -> None:
        limits = limits or Limits.from_settings()
        stream.seek(0)
        _check_directory(stream)
        try:
            super().__init__(stream)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
            raise damaged_workbook() from exc
        try:
            self._check_parts(limits)
        except TableError:
            self.close()
            raise

    def _check_parts(self, limits: Limits) -> None:
        total = 0
        for info in self.infolist():
            total += info.file_size
            if total > limits.unzipped_bytes:
                raise too_large(limits.unzipped_bytes)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _suspicious(_("it is compressed in a way Excel does not use"))
            if info.file_size >= RATIO_FROM_BYTES and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise _suspicious(
                    _("a part of it unpacks to more than %(ratio)s times its packed size") % {"ratio": limits.ratio}
                )
            if info.file_size > MAX_OTHER_XML_BYTES and _is_other_xml(info.filename):
                raise _suspicious(_("its part %(name)s is implausibly large") % {"name": info.filename[:100]})


def too_many_rows(limit: int) -> TableError:
    return TableError(
        _("The file has more than %(rows)s rows: split it into smaller files.") % {"rows": f"{limit:,}"},
        code="too_many_rows",
    )


def too_many_columns(row: int, limit: int) -> TableError:
    return TableError(
        _("Row %(row)s has more than %(columns)s columns: the file cannot be read.")
        % {"row": row, "columns": f"{limit:,}"},
        code="too_many_columns",
    )


def cell_too_long(row: int, limit: int) -> TableError:
    return TableError(
        _("Row %(row)s holds more than %(chars)s characters: the file cannot be read.")
        % {"row": row, "chars": f"{limit:,}"},
        code="cell_too_long",
    )


def text_too_long(limit: int) -> TableError:
    return TableError(
        _("The file holds more than %(chars)s characters of text: split it into smaller files.")
        % {"chars": f"{limit:,}"},
        code="text_too_long",
    )


def too_many_strings(limit: int) -> TableError:
    return TableError(
        _("The Excel file holds more than %(count)s distinct texts: split it into smaller files.")
        % {"count": f"{limit:,}"},
        code="too_many_strings",
    )


class TextBudget:
    """Counts the rows that hold something and the text of a whole read, row by row."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.rows = 0
        self.chars = 0

    def row(self, number: int, cells: Any) -> None:
        limits = self.limits
        if len(cells) > limits.columns:
            raise too_many_columns(number, limits.columns)
        chars = 0
        filled = False
        for cell in cells:
            if isinstance(cell, str):
                chars += len(cell)
                filled = filled or bool(cell)
            elif cell is not None:
                filled = True
        if not filled:
            return  # the empty rows of a sheet's gaps are not kept
        if chars > limits.cell_chars:
            raise cell_too_long(number, limits.cell_chars)
        self.chars += chars
        if self.chars > limits.file_chars:
            raise text_too_long(limits.file_chars)
        self.rows += 1
        if self.rows > limits.rows:
            raise too_many_rows(limits.rows)


class SheetGuard:
    """Told of every row, cell and piece of text while a sheet's XML is parsed."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.row_number = 0
        self.row_chars = 0
        self.chars = 0

    def row(self, number: int) -> None:
        if number > EXCEL_MAX_ROW or number < self.row_number:
            raise damaged_workbook()
        self.row_number = number
        self.row_chars = 0

    def column(self, index: int) -> None:
        if index >= self.limits.columns or index < 0:
            raise too_many_columns(self.row_number, self.limits.columns)

    def text(self, length: int) -> None:
        self.row_chars += length
        self.chars += length
        if self.row_chars > self.limits.cell_chars:
            raise cell_too_long(self.row_number, self.limits.cell_chars)
        if self.chars > self.limits.file_chars:
            raise text_too_long(self.limits.file_chars)


def column_index(reference: str) -> int:
    """The 0-based column of a cell reference such as ``AB12`` (-1 for a reference without one)."""
    index = 0
    for position, char in enumerate(reference):
        if not "A" <= char <= "Z":
            break
        if position >= 3:  # past XFD, Excel's last column
            return 1 << 30
        index = index * 26 + ord(char) - 64
    return index - 1


def token_too_large() -> TableError:
    return _suspicious(_("an element of its XML is larger than %(size)s MB") % {"size": _megabytes(MAX_TOKEN_BYTES)})


def check_token(parser: Any, fed: int) -> None:
    """Refuse a tag, attribute or comment that has grown past ``MAX_TOKEN_BYTES`` unparsed (after a
    chunk was fed, ``CurrentByteIndex`` is where expat stopped: the start of what it still holds)."""
    if fed - parser.CurrentByteIndex > MAX_TOKEN_BYTES:
        raise token_too_large()


def parse_part(archive: zipfile.ZipFile, name: str, handlers: dict[str, Any]) -> None:
    """Feed one part of the archive to expat in chunks (memory stays flat)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    for attribute, handler in handlers.items():
        setattr(parser, attribute, handler)
    fed = 0
    with archive.open(name) as part:
        while chunk := part.read(_CHUNK):
            parser.Parse(chunk, False)
            fed += len(chunk)
            check_token(parser, fed)
    parser.Parse(b"", True)


class SharedStringCounter:
    """Expat handlers counting shared strings and their text against the limits, as they come.

    The declared count (``uniqueCount``, else ``count``) is checked first: a file announcing
    ten million strings is refused before one is read.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.count = 0
        self.chars = 0

    def root(self, attrs: dict[str, str]) -> None:
        declared = attrs.get("uniqueCount") or attrs.get("count") or "0"
        if declared.isdigit() and int(declared) > self.limits.shared_strings:
            raise too_many_strings(self.limits.shared_strings)

    def string(self) -> None:
        self.count += 1
        if self.count > self.limits.shared_strings:
            raise too_many_strings(self.limits.shared_strings)

    def text(self, length: int) -> None:
        self.chars += length
        if self.chars > self.limits.shared_string_chars:
            raise text_too_long(self.limits.shared_string_chars)


def shared_string_parts(archive: zipfile.ZipFile) -> list[str]:
    return [name for name in archive.namelist() if name.lower().endswith("sharedstrings.xml")]


def check_shared_strings(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Count the shared strings of a workbook without keeping them (before openpyxl loads them)."""
    counter = SharedStringCounter(limits)

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_NS_MAIN} si":
            counter.string()
        elif tag == f"{_NS_MAIN} sst":
            counter.root(attrs)

    def data(text: str) -> None:
        counter.text(len(text))

    for name in shared_string_parts(archive):
        _parse_checked(archive, name, {"StartElementHandler": start, "CharacterDataHandler": data})


def check_sheet(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Walk a sheet's XML without keeping it: row numbers, columns and text within the limits."""
    guard = SheetGuard(limits)
    row_tag, cell_tag = f"{_NS_MAIN} row", f"{_NS_MAIN} c"
    cells = [0]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == cell_tag:
            reference = attrs.get("r")
            index = column_index(reference) if reference else cells[0]
            guard.column(index)
            cells[0] = index + 1
        elif tag == row_tag:
            number = attrs.get("r", "")
            guard.row(int(number) if number.isdigit() else guard.row_number + 1)
            cells[0] = 0

    def data(text: str) -> None:
        guard.text(len(text))

    _parse_checked(archive, name, {"StartElementHandler": start, "CharacterDataHandler": data})


def _parse_checked(archive: zipfile.ZipFile, name: str, handlers: dict[str, Any]) -> None:
    try:
        parse_part(archive, name, handlers)
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
        raise damaged_workbook() from exc
