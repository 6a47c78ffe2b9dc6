"""What the browser is told: a Content-Security-Policy without 'unsafe-inline' (so every template
keeps its scripts and styles in files), no caching of signed-in pages and downloads, and a
production configuration that ``check --deploy`` finds nothing to say about."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

# A script element that runs inline code: any <script> without src= (a JSON data block is no code).
_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type\s*=\s*[\"']application/(?:ld\+)?json)[^>]*>", re.I)
_HANDLER = re.compile(r"<[a-z][^>]*?\s(on[a-z]+)\s*=", re.I | re.S)
_STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\sstyle\s*=", re.I | re.S)
_STYLE_ELEMENT = re.compile(r"<style\b", re.I)
_JAVASCRIPT_URL = re.compile(r"""\s(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
_HTMX_CODE = re.compile(r"\shx-on[:-]|\shx-(?:vals|vars)\s*=\s*[\"']\s*js:", re.I)


def template_files() -> list[Path]:
    """Every template a browser receives: templates/ and the apps' own templates folders, but not
    templates/pdf/ (WeasyPrint reads those on the server; its stylesheet is inline by design)."""
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    pdf = ROOT / "templates" / "pdf"
    return sorted(
        {
            path
            for folder in folders
            if ".venv" not in folder.parts
            for path in folder.rglob("*.html")
            if not path.is_relative_to(pdf)
        }
    )


def inline_code(text: str) -> Iterator[tuple[int, str]]:
    """(line, what) for every piece of inline script or style a CSP without 'unsafe-inline' blocks."""
    checks = [
        (_SCRIPT, "inline <script>"),
        (_HANDLER, "event handler attribute"),
        (_STYLE_ATTRIBUTE, "style= attribute"),
        (_STYLE_ELEMENT, "<style> element"),
        (_JAVASCRIPT_URL, "javascript: URL"),
        (_HTMX_CODE, "htmx inline code"),
    ]
    for pattern, what in checks:
        for match in pattern.finditer(text):
            yield text.count("\n", 0, match.start()) + 1, what


def test_no_template_holds_inline_script_handlers_or_styles():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in template_files()
        for line, what in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">\nx()\n</script>',
        '<select onchange="this.form.submit()">',
        "<button class=\"btn\"\n   onclick='print()'>",
        '<div class="x" style="width: 3%">',
        "<style>.x { color: red }</style>",
        '<a href="javascript:void(0)">',
        '<button hx-on:click="go()">',
    ],
)
def test_the_scan_catches_inline_code(snippet):
    assert list(inline_code(f"<p>\n{snippet}\n</p>"))


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/portal.js"></script>',
        '<script id="data" type="application/json">{"a": 1}</script>',
        '<button data-confirm="Sure?" class="btn">',
        '<input name="online" value="1">',
        '<p>style="not a tag" onclick= in text</p>',
    ],
)
def test_the_scan_lets_files_and_data_pass(snippet):
    assert not list(inline_code(snippet))


# --- the headers of a response -------------------------------------------------------------------
@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_inline_code(client):
    policy = client.get("/public/")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Content-Security-Policy" in client.get("/accounts/login/")


@pytest.mark.django_db
def test_signed_in_pages_are_not_stored_and_public_pages_stay_cacheable(login, duruan_officer):
    officer = login(duruan_officer)
    assert officer.get("/")["Cache-Control"] == "no-store, private"
    assert officer.get("/public/")["Cache-Control"] == "no-store, private"  # the user is signed in
    assert "no-store" not in Client().get("/public/").get("Cache-Control", "")


@pytest.mark.django_db
def test_every_download_is_not_stored_even_for_anonymous_visitors(login, district_admin):
    response = Client().get("/public/catalogue.xlsx")
    assert response.status_code == 200 and response.has_header("Content-Disposition")
    assert response["Cache-Control"] == "no-store, private"
    export = login(district_admin).get("/public/catalogue.xlsx")
    assert export["Cache-Control"] == "no-store, private"


def _production(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "AUDIT_KEY", "ALLOWED_HOSTS"}}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "pengjiang_enforcement.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k3Y-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
        "ALLOWED_HOSTS": "zf.example.gov.cn",
        "HTTPS": "1",
        **overrides,
    }


def test_check_deploy_finds_nothing_in_the_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_over_https_sends_hsts_for_a_year_and_redirects_except_the_health_check():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_REDIRECT_EXEMPT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=_production(), cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["31536000", "True", "True"]
    assert "healthz" in result.stdout


@pytest.mark.django_db
def test_the_ssl_redirect_leaves_the_health_check_alone(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/public/").status_code == 301
    assert client.get("/healthz").status_code != 301  # answered (200, or 503 without a worker)


@pytest.mark.parametrize(("value", "css"), [(0, "bar-0"), (37.4, "bar-37"), ("100", "bar-100"), (140, "bar-100"),
                                            (-5, "bar-0"), (None, "bar-0"), ("x", "bar-0")])  # fmt: skip
def test_a_progress_bar_gets_its_width_as_a_class(value, css):
    from pengjiang_enforcement.templatetags.portal import bar_width

    assert bar_width(value) == css
