"""Template helpers shared by every page."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.forms.widgets import CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select, SelectMultiple

from .. import widgets
from ..models.jobs import JobStatus
from ..text import mask_phone

register = template.Library()

_JOB_CLASSES = {
    JobStatus.QUEUED: "badge-soft-secondary",
    JobStatus.READING: "text-bg-primary",
    JobStatus.PREVIEWED: "badge-soft-warning",
    JobStatus.APPLYING: "text-bg-primary",
    JobStatus.RUNNING: "text-bg-primary",
    JobStatus.DONE: "badge-soft-success",
    JobStatus.FAILED: "badge-soft-danger",
    JobStatus.REFUSED: "badge-soft-danger",
    JobStatus.CANCELLED: "badge-soft-secondary",
}


@register.filter
def bar_width(value: object) -> str:
    """The class that gives a progress bar its width (``bar-0`` to ``bar-100``) for a percentage:
    a class, not a ``style`` attribute, which the Content-Security-Policy would refuse."""
    try:
        percent = round(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        percent = 0
    return f"bar-{max(0, min(100, percent))}"


@register.filter
def job_status_class(status: str) -> str:
    """The badge colour of a background job's status (imports, documents)."""
    return _JOB_CLASSES.get(status, "badge-soft-secondary")


@register.inclusion_tag("includes/field.html")
def field(bound: BoundField, compact: bool = False) -> dict:
    """Render a form field the Bootstrap way: label, control, help and errors."""
    widget = bound.field.widget
    if isinstance(widget, RadioSelect):  # radio buttons, and CheckboxSelectMultiple (a subclass)
        # Each option is its own .form-check; the class reaches the inputs through the widget.
        widget.attrs["class"] = "form-check-input" + (" is-invalid" if bound.errors else "")
        options = list(bound.subwidgets)
        return {
            "field": bound,
            "options": options,
            "kind": "choices",
            "compact": compact,
            "inline": len(options) <= 4 and not isinstance(widget, CheckboxSelectMultiple),
        }
    if isinstance(widget, CheckboxInput):
        css, kind = "form-check-input", "check"
    elif isinstance(widget, (Select, SelectMultiple)):
        css, kind = "form-select", "control"
    else:
        css, kind = "form-control", "control"
    if bound.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if bound.field.required and kind == "control":
        attrs["required"] = True
    return {"field": bound, "widget_html": _widget_html(bound, attrs), "kind": kind, "compact": compact}


def _widget_html(bound: BoundField, attrs: dict) -> str:
    """``bound.as_widget(attrs=attrs)``, drawn by :mod:`pengjiang_enforcement.widgets` when the
    widget is one of its plain controls (the same HTML, without a template per option)."""
    widget = bound.field.widget
    if widget.template_name not in widgets.TEMPLATES or bound.field.localize:
        return bound.as_widget(attrs=attrs)
    built = bound.build_widget_attrs(attrs, widget)
    if bound.auto_id and "id" not in widget.attrs:
        built.setdefault("id", bound.auto_id)
    return widgets.render(widget, bound.html_name, bound.value(), built)


@register.simple_tag(takes_context=True)
def querystring_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for sort and page links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def mask_id(value: str | None) -> str:
    """Mask an identity number, keeping the first 6 and the last 4 characters."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return value[:2] + "*" * max(0, len(value) - 4) + value[-2:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


@register.filter(name="mask_phone")
def mask_phone_filter(value: str | None) -> str:
    """A phone number with its middle digits hidden (``138****5678``)."""
    return mask_phone(value or "")
