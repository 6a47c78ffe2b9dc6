"""What an uploaded file really is, judged by its first bytes rather than its name.

Evidence comes as photos, scans, recordings, short videos and office documents. A file is
accepted when its name ends in an allowed extension *and* its content is of that type, so an
executable renamed ``photo.jpg`` or a PDF renamed ``.png`` is refused.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

# extension -> (kind detected from the content, content type stored and served)
ALLOWED: dict[str, tuple[str, str]] = {
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".png": ("png", "image/png"),
    ".gif": ("gif", "image/gif"),
    ".webp": ("webp", "image/webp"),
    ".heic": ("heic", "image/heic"),
    ".pdf": ("pdf", "application/pdf"),
    ".ofd": ("ofd", "application/ofd"),
    ".mp4": ("mp4", "video/mp4"),
    ".mov": ("mov", "video/quicktime"),
    ".m4a": ("m4a", "audio/mp4"),
    ".mp3": ("mp3", "audio/mpeg"),
    ".wav": ("wav", "audio/wav"),
    ".amr": ("amr", "audio/amr"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".doc": ("ole", "application/msword"),
    ".xls": ("ole", "application/vnd.ms-excel"),
}

_FTYP_BRANDS = {
    "mp4": {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"MSNV", b"3gp4", b"3gp5"},
    "mov": {b"qt  "},
    "m4a": {b"M4A ", b"M4B "},
    "heic": {b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis"},
}

KIND_NAMES = {
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WebP",
    "heic": "HEIC",
    "pdf": "PDF",
    "ofd": "OFD",
    "mp4": "MP4",
    "mov": "QuickTime",
    "m4a": "M4A",
    "mp3": "MP3",
    "wav": "WAV",
    "amr": "AMR",
    "docx": "Word (docx)",
    "xlsx": "Excel (xlsx)",
    "ole": "Word/Excel 97-2003",
    "zip": "ZIP",
    "exe": "Windows program",
    "elf": "Linux program",
    "html": "HTML",
}


def _zip_kind(fileobj: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def sniff(fileobj: IO[bytes]) -> str | None:
    """The kind of a file from its content (see ``KIND_NAMES``), or None when unknown."""
    fileobj.seek(0)
    head = fileobj.read(64)
    fileobj.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        for kind, brands in _FTYP_BRANDS.items():
            if brand in brands:
                return kind
        return "mp4" if brand.startswith(b"3g") else None
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        data = fileobj.read()
        fileobj.seek(0)
        return _zip_kind(io.BytesIO(data))
    if head.startswith(b"MZ"):
        return "exe"
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<script")):
        return "html"
    return None
