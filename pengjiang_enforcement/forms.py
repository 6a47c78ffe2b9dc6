"""Forms of the shared kernel."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CalendarDayKind
from .models import Unit, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "address", "phone", "sort_order", "is_active"]


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
