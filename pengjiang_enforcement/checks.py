"""System checks of the shared kernel."""

from __future__ import annotations

from django.core.checks import Warning, register


@register()
def cjk_font_check(app_configs, **kwargs):
    """Warn at start when PDFs could not print Chinese (the pages still work)."""
    from .pdf import cjk_font_families

    if cjk_font_families():
        return []
    return [
        Warning(
            "No font covering Chinese is installed: generating PDF documents will fail.",
            hint="apt-get install -y fonts-noto-cjk",
            id="core.W001",
        )
    ]
