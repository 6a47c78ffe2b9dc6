"""Form controls written out in Python: the same HTML as Django's widget templates, faster.

Django renders every ``<select>`` and ``<input>`` through its widget templates: one template for
the control, one include for its attributes, and one per ``<option>``. A queue's filter bar
holds a dozen controls and some of them dozens of options, which made drawing the filters a
third of a list page's time. For the plain widgets whose templates the portal does not override
(:data:`TEMPLATES`), :func:`render` builds the same markup from the same context
(``widget.get_context``, so values, ``selected``, ``required`` and ``id`` are Django's own), and
``pengjiang_enforcement/tests/test_widgets.py`` holds it equal to the templates' output. Any
other widget renders as Django renders it.
"""

from __future__ import annotations

from typing import Any

from django.forms.widgets import Widget
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
INPUTS = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "number", "email", "url", "password", "search", "tel", "date", "datetime",
                 "time", "hidden")
)  # fmt: skip
TEMPLATES = INPUTS | {SELECT}


def _attrs(attrs: dict[str, Any]) -> SafeString:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return mark_safe(  # each part went through format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
            for name, value in attrs.items()
            if value is not False
        )
    )


def render(widget: Widget, name: str, value: Any, attrs: dict[str, Any] | None = None) -> SafeString:
    """``widget.render(name, value, attrs)`` for the widgets of :data:`TEMPLATES`."""
    if widget.template_name not in TEMPLATES:
        return widget.render(name, value, attrs)
    context = widget.get_context(name, value, attrs)["widget"]
    if widget.template_name == SELECT:
        return _select(context)
    value_attr = "" if context["value"] is None else format_html(' value="{}"', str(context["value"]))
    return format_html(
        '<input type="{}" name="{}"{}{}>', context["type"], context["name"], value_attr, _attrs(context["attrs"])
    )


def _select(context: dict[str, Any]) -> SafeString:
    parts = [format_html('<select name="{}"{}>', context["name"], _attrs(context["attrs"]))]
    for group, options, _index in context["optgroups"]:
        if group:
            parts.append(format_html('<optgroup label="{}">', group))
        for option in options:
            parts.append(
                format_html(
                    '<option value="{}"{}>{}</option>', str(option["value"]), _attrs(option["attrs"]), option["label"]
                )
            )
        if group:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # every part above went through format_html
