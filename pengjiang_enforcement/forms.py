"""Forms of the shared kernel."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CalendarDayKind
from .exceptions import RuleViolation
from .models import Unit, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def add_violation(form: forms.BaseForm, exc: RuleViolation, fields: dict[str, str] | None = None) -> None:
    """Show a refused rule (or each of several) on the form: beside the field it is about when the
    violation names one (``exc.field``, or ``fields`` by rule code) and the form has it, else on top."""
    for violation in getattr(exc, "violations", [exc]):
        field = getattr(violation, "field", None) or (fields or {}).get(violation.rule)
        form.add_error(field if field in form.fields else None, violation)


class NameListField(forms.CharField):
    """Names one per line or separated by commas (either width) or 、; a list without repeats."""

    _SEPARATORS = re.compile(r"[\n,，、;；]+")

    def __init__(self, *, max_item_length: int = 100, **kwargs):
        self.max_item_length = max_item_length
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "、".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        names = list(dict.fromkeys(n.strip() for n in self._SEPARATORS.split(text or "") if n.strip()))
        too_long = [n for n in names if len(n) > self.max_item_length]
        if too_long:
            raise forms.ValidationError(
                _("“%(name)s” is longer than %(limit)s characters."),
                code="max_length",
                params={"name": too_long[0], "limit": self.max_item_length},
            )
        return names


class UnitForm(forms.ModelForm):
    aliases = NameListField(
        label=_("other names"),
        help_text=_(
            "Other names files use for this unit, separated by commas or 、. The usual forms of its name "
            "(without 江门市/蓬江区, with 卫健 for 卫生健康 …) are recognised without an entry."
        ),
    )

    class Meta:
        model = Unit
        fields = ["name", "short_name", "aliases", "address", "phone", "sort_order", "is_active"]


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("certificate number"), max_length=40)
    issuing_body = forms.CharField(label=_("issuing body"), max_length=100, initial="江门市人民政府")
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("valid to"), widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("A certificate cannot expire before it becomes valid."))
        return data


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("kind"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("name"), max_length=50)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(user, "view").order_by("sort_order", "pk")
