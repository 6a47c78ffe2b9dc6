"""Hostile spreadsheets built byte by byte: ZIP bombs, lying sizes, huge declared sheets.

A ZIP is written here directly (local headers, central directory, end record), so a part may
declare any size; a part that really unpacks to hundreds of megabytes is made of one deflated
megabyte repeated (after a sync flush, a block that encodes a megabyte of a periodic pattern
decodes the same way wherever the window already holds that pattern), so a 300 MB bomb takes
milliseconds to build.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

MB = 1024 * 1024
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ("工单编号", "受理时间", "诉求内容")


@dataclass
class Part:
    """One part of the archive: its packed bytes, the CRC and the sizes to declare."""

    name: str
    packed: bytes
    crc: int
    size: int  # declared unpacked size
    method: int = 8


def deflated(data: bytes) -> Part:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Part("", compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))


def repeated(prefix: bytes, pattern: bytes, total: int, suffix: bytes) -> Part:
    """prefix + pattern repeated to about ``total`` bytes + suffix, deflated without building it."""
    unit = pattern * max(1, MB // len(pattern))
    count = max(1, total // len(unit))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix + unit) + compressor.flush(zlib.Z_SYNC_FLUSH)
    middle = compressor.compress(unit) + compressor.flush(zlib.Z_SYNC_FLUSH)
    tail = compressor.compress(suffix) + compressor.flush()
    crc = zlib.crc32(prefix + unit)
    for _ in range(count - 1):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    return Part("", head + middle * (count - 1) + tail, crc, len(prefix) + len(unit) * count + len(suffix))


def zip_bytes(parts: list[Part], *, entries: int | None = None, directory_size: int | None = None) -> bytes:
    """A ZIP archive of the parts, with the sizes they declare (and, if given, a forged end record)."""
    out = bytearray()
    directory = bytearray()
    for part in parts:
        name = part.name.encode()
        offset = len(out)
        sizes = (part.crc, len(part.packed), part.size, len(name), 0)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, part.method, 0, 0x21, *sizes) + name + part.packed
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, part.method, 0, 0x21, *sizes, 0, 0, 0, 0, offset
        )
        directory += name
    start = len(out)
    out += directory
    count = len(parts) if entries is None else entries
    size = len(directory) if directory_size is None else directory_size
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), size, start, 0)
    return bytes(out)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;")


def inline_row(number: int, values: tuple[str, ...] = HEADER) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{_text(v)}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_head(dimension: str = "A1:C3") -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="{dimension}"/>'
    return (head + "<sheetData>").encode()


SHEET_TAIL = b"</sheetData></worksheet>"


@dataclass
class Workbook:
    """The parts of a minimal workbook; ``sheet`` and ``strings`` may be replaced by hostile ones."""

    sheet: Part = field(default_factory=lambda: deflated(sheet_head() + inline_row(1).encode() + SHEET_TAIL))
    strings: Part | None = None
    extra: list[Part] = field(default_factory=list)

    def build(self, **forged: int) -> bytes:
        parts = []
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ):
            part = deflated(text.encode())
            part.name = name
            parts.append(part)
        self.sheet.name = "xl/worksheets/sheet1.xml"
        parts.append(self.sheet)
        strings = self.strings or deflated(f'<sst xmlns="{NS}" count="0" uniqueCount="0"/>'.encode())
        strings.name = "xl/sharedStrings.xml"
        parts.append(strings)
        parts.extend(self.extra)
        return zip_bytes(parts, **forged)


def sheet_of(rows: str, dimension: str = "A1:C3") -> Part:
    return deflated(sheet_head(dimension) + rows.encode() + SHEET_TAIL)


def good_workbook(rows: int = 2) -> bytes:
    """A small valid workbook: the header and ``rows`` rows."""
    body = inline_row(1) + "".join(
        inline_row(n, (f"07502026030200{n:05d}", "2026-03-02 09:00", "占道经营")) for n in range(2, rows + 2)
    )
    return Workbook(sheet=sheet_of(body)).build()
