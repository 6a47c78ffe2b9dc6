"""PDF rendering prints Chinese with a real CJK font, and refuses loudly without one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.template import engines

from pengjiang_enforcement import pdf
from pengjiang_enforcement.checks import cjk_font_check

BASE_DIR = Path(__file__).resolve().parents[2]
DOCUMENT = (
    '{% extends "pdf/base.html" %}{% block content %}<h1>行政处罚决定书</h1>'
    '<div class="doc-number">蓬江杜阮综执罚〔2026〕1号</div><p>当事人：江门市某某餐饮有限公司。</p>'
    "{% endblock %}"
)


def test_pdf_embeds_a_cjk_font_and_the_chinese_text(tmp_path):
    html = engines["django"].from_string(DOCUMENT).render({})
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf.render_pdf_html(html))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "行政处罚决定书" in text.replace(" ", "")  # the title is letter-spaced
    assert "蓬江杜阮综执罚〔2026〕1号" in text


def _without_fonts(tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    """Run code in a process whose fontconfig sees no fonts at all (a machine without any)."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig><cachedir>' + str(tmp_path) + "</cachedir></fontconfig>")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=BASE_DIR,
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_rendering_without_a_cjk_font_is_a_loud_error(tmp_path):
    result = _without_fonts(
        tmp_path, "from pengjiang_enforcement.pdf import render_pdf_html; render_pdf_html('<p>中文</p>')"
    )
    assert result.returncode != 0
    assert "MissingCJKFontError" in result.stderr
    assert "apt-get install -y fonts-noto-cjk" in result.stderr


def test_system_check_warns_without_a_cjk_font(tmp_path):
    assert cjk_font_check(None) == []
    result = _without_fonts(
        tmp_path, "from pengjiang_enforcement.checks import cjk_font_check; print([w.id for w in cjk_font_check(None)])"
    )
    assert result.stdout.strip() == "['core.W001']"


def test_the_machine_running_the_suite_has_the_pdf_tools():
    assert shutil.which("pdffonts") and shutil.which("pdftoppm")
    assert pdf.cjk_font_families()
