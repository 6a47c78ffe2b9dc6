"""PDF documents with WeasyPrint, and a loud failure when Chinese cannot be printed.

Without a CJK font WeasyPrint does not fail: it prints every Chinese character as an empty box,
and nobody notices until a party receives an unreadable decision. So before rendering we ask
fontconfig for a font that covers Chinese and refuse to render without one.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


class MissingCJKFontError(RuntimeError):
    """No installed font covers Chinese: PDFs would show boxes instead of characters."""


@functools.lru_cache(maxsize=1)
def cjk_font_families() -> tuple[str, ...]:
    """Font families fontconfig knows that cover Simplified Chinese."""
    if not shutil.which("fc-list"):
        return ()
    out = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False).stdout
    families = {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}
    return tuple(sorted(families))


def ensure_cjk_font() -> None:
    """Raise MissingCJKFontError unless a Chinese font is installed."""
    if not cjk_font_families():
        raise MissingCJKFontError(
            "No font covering Chinese is installed, so PDF documents would print Chinese as boxes. "
            "Install one: apt-get install -y fonts-noto-cjk"
        )


def render_pdf_html(html: str) -> bytes:
    """Render an HTML document to PDF bytes, refusing when Chinese would print as boxes."""
    from weasyprint import HTML

    ensure_cjk_font()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any] | None = None) -> bytes:
    """Render a template under templates/pdf/ to PDF bytes (A4, Chinese fonts)."""
    return render_pdf_html(render_to_string(template_name, context or {}))
