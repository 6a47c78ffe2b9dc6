"""Forms of the 12345 hotline pages. They shape input; the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pengjiang_enforcement.forms import DateInput
from pengjiang_enforcement.models import Unit

MAX_TEXT = 4000


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Export file"),
        help_text=_("XLSX or CSV exported from the 12345 platform (UTF-8 or GBK); column names are recognised."),
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class ReplyForm(VersionedForm):
    text = forms.CharField(label=_("Reply to the hotline (处理结果)"), widget=textarea(4), max_length=MAX_TEXT)


class InterimForm(forms.Form):
    text = forms.CharField(label=_("Interim reply"), widget=textarea(3), max_length=MAX_TEXT)


class ExtensionForm(forms.Form):
    due_on = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=textarea(2), max_length=MAX_TEXT)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=textarea(2), max_length=MAX_TEXT)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("request", "Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required to refuse)"), widget=textarea(2), required=False, max_length=MAX_TEXT
    )


class RouteForm(forms.Form):
    township = forms.ModelChoiceField(label=_("Township"), queryset=Unit.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, townships=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships if townships is not None else Unit.objects.none()


class SourceForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
