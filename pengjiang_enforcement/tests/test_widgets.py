"""The controls drawn in Python (``pengjiang_enforcement.widgets``) are Django's own HTML."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory

from cases.filters import CaseFilterSet
from pengjiang_enforcement import widgets
from pengjiang_enforcement.templatetags.portal import field

pytestmark = pytest.mark.django_db


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


class Everything(forms.Form):
    kind = forms.ChoiceField(choices=[("", "---"), ("a", "甲 <b>"), ("b", 'B "quoted"')])
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("东区", [("1", "一"), ("2", "二")]), ("西区", [("3", "三")])], required=False
    )
    number = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"min": 0, "data-x": "<y>"}))
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    words = forms.CharField(required=False, max_length=40, disabled=True)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    choose = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"kind": "b", "grouped": "3", "number": "7", "day": "2026-12-03", "secret": '"><script>', "choose": "2"},
        {"kind": "zzz", "number": "abc", "day": "not a day"},
    ],
)
def test_the_fast_controls_draw_what_django_draws(data):
    form = Everything(data=data, initial={"day": datetime.date(2026, 1, 2), "words": "固定"})
    for bound in form:
        attrs = {"class": "form-control", "required": True, "aria-describedby": "x"}
        built = bound.build_widget_attrs(attrs, bound.field.widget)
        built.setdefault("id", bound.auto_id)
        fast = widgets.render(bound.field.widget, bound.html_name, bound.value(), dict(built))
        assert _same(fast) == _same(bound.as_widget(attrs=attrs)), bound.name


def test_the_field_tag_draws_a_queue_filter_as_django_would(duruan_officer):
    request = RequestFactory().get("/cases/", {"state": "investigating", "sort": "due"})
    request.user = duruan_officer
    filters = CaseFilterSet(request.GET, user=duruan_officer)
    drawn = [bound for bound in filters.form if bound.field.widget.template_name in widgets.TEMPLATES]
    assert len(drawn) >= 3  # the filter bar's selects and inputs take the fast path
    for bound in drawn:
        context = field(bound)
        attrs = {"class": "form-select" if "select" in bound.field.widget.template_name else "form-control"}
        if bound.errors:
            attrs["class"] += " is-invalid"
        if bound.field.required:
            attrs["required"] = True
        assert _same(context["widget_html"]) == _same(bound.as_widget(attrs=attrs)), bound.name
    page = Template("{% load portal %}{% field f %}").render(Context({"f": filters.form["state"]}))
    assert 'value="investigating" selected' in page


def test_other_widgets_render_as_django_renders_them():
    area = forms.Textarea()
    assert "textarea" not in " ".join(widgets.TEMPLATES)
    assert widgets.render(area, "note", "<x>") == area.render("note", "<x>")
