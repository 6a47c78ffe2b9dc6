"""Forms of the catalogue. They collect input; the services decide what is allowed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.forms import DateInput
from pengjiang_enforcement.models import Unit

from .choices import DiscretionLevel, EvaluationDecision, LeniencyKind, PenaltyType
from .evaluation import Thresholds
from .importing import MAX_UPLOAD_BYTES
from .models import PowerItem
from .selectors import departments
from .services import CHANGEABLE_FIELDS

# What a proposal may change: the item's content (townships change through recall/re-delegation).
CONTENT_FIELDS = [f for f in CHANGEABLE_FIELDS if f != "coverage"]


class TownshipChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})

    def label_from_instance(self, obj) -> str:
        return obj.name


class ProcedureFields(forms.Form):
    """What every adjustment states: when it takes effect and why."""

    effective_date = forms.DateField(
        label=_("effective date"),
        widget=DateInput(),
        help_text=_("Nothing changes before this date."),
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()


class ItemForm(ProcedureFields):
    """An item's content, for proposing a new item or a change (``new`` adds the codes)."""

    def __init__(self, *args, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        names = (["code", "sub_code"] if new else []) + CONTENT_FIELDS
        fields = fields_for_model(
            PowerItem,
            fields=names,
            widgets={
                "setting_basis": forms.Textarea(attrs={"rows": 2}),
                "penalty_basis": forms.Textarea(attrs={"rows": 2}),
                "penalty_range": forms.Textarea(attrs={"rows": 2}),
                "notes": forms.Textarea(attrs={"rows": 2}),
            },
        )
        fields["department"].queryset = departments()
        fields["penalty_types"] = forms.MultipleChoiceField(
            label=PowerItem._meta.get_field("penalty_types").verbose_name,
            choices=PenaltyType.choices,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            required=False,
        )
        self.fields.update(fields)
        self.order_fields([*names, "townships", "add_townships", "remove_townships", "effective_date", "reason"])

    def item_data(self) -> dict:
        names = [n for n in self.fields if n not in {"effective_date", "reason", "townships"}]
        names = [n for n in names if n not in {"add_townships", "remove_townships"}]
        return {name: self.cleaned_data[name] for name in names}


class AddItemForm(ItemForm):
    townships = TownshipChoice(
        label=_("townships receiving the item"),
        queryset=Unit.objects.townships(),
        help_text=_("Some items go to towns and not to streets."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, new=True, **kwargs)
        self.fields["townships"].queryset = Unit.objects.townships()


class ChangeItemForm(ItemForm):
    add_townships = TownshipChoice(label=_("also delegate to"), queryset=Unit.objects.townships(), required=False)
    remove_townships = TownshipChoice(label=_("take back from"), queryset=Unit.objects.townships(), required=False)

    def __init__(self, *args, item: PowerItem, held: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_townships"].queryset = Unit.objects.townships().exclude(pk__in=held)
        self.fields["remove_townships"].queryset = Unit.objects.townships().filter(pk__in=held)
        if not self.is_bound:
            for name in CONTENT_FIELDS:
                self.initial[name] = item.department_id if name == "department" else getattr(item, name)


class TownshipsForm(ProcedureFields):
    """Recall or re-delegate: which townships, from when, why."""

    townships = TownshipChoice(label=_("townships"), queryset=Unit.objects.townships())

    def __init__(self, *args, choices, required: bool = True, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.pop("townships")
        field.queryset = choices
        field.required = required
        field.help_text = help_text
        self.fields = {"townships": field, **self.fields}


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    effective_date = forms.DateField(label=_("effective date"), widget=DateInput(), required=False)
    document_number = forms.CharField(
        label=_("number of the approving document"),
        max_length=100,
        required=False,
        help_text=_("For example 蓬府函〔2026〕12号."),
    )
    document = forms.FileField(
        label=_("approving document"),
        required=False,
        help_text=_("PDF, OFD, JPG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ofd,.jpg,.jpeg,.png"}),
    )


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("the department's opinion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BandForm(forms.Form):
    """One level of a discretion standard (rows of a table, so the widgets carry their classes)."""

    level = forms.ChoiceField(
        label=_("level"),
        choices=[("", "—"), *DiscretionLevel.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    conditions = forms.CharField(
        label=_("conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    fine_min = forms.DecimalField(
        label=_("minimum fine (yuan)"),
        required=False,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    fine_max = forms.DecimalField(
        label=_("maximum fine (yuan)"),
        required=False,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    measures = forms.CharField(
        label=_("penalty in this band"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


BandFormSet = forms.formset_factory(BandForm, extra=0, min_num=4, max_num=4)


class DiscretionForm(forms.Form):
    effective_from = forms.DateField(label=_("in force from"), widget=DateInput())
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LeniencyForm(forms.Form):
    kind = forms.ChoiceField(label=_("list"), choices=LeniencyKind.choices)
    circumstances = forms.CharField(
        label=_("applicable circumstances (适用情形)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    basis = forms.CharField(label=_("basis"), widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("accompanying supervision measures"), required=False)
    effective_from = forms.DateField(label=_("in force from"), widget=DateInput())


class EvaluationFilterForm(forms.Form):
    start = forms.DateField(label=_("period from"), widget=DateInput())
    end = forms.DateField(label=_("period to"), widget=DateInput())
    township = forms.ModelChoiceField(label=_("township"), queryset=Unit.objects.townships(), required=False)
    department = forms.ModelChoiceField(label=_("source department"), queryset=departments(), required=False)
    q = forms.CharField(label=_("Search"), required=False)
    flagged = forms.BooleanField(label=_("only candidates"), required=False)
    error_rate = forms.DecimalField(
        label=_("error rate from"), min_value=Decimal(0), max_value=Decimal(1), decimal_places=2, required=False
    )
    min_closed = forms.IntegerField(label=_("counted from closed cases"), min_value=1, required=False)

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = Thresholds.from_settings()
        initial = {
            "start": today - datetime.timedelta(days=365),
            "end": today,
            "error_rate": defaults.error_rate,
            "min_closed": defaults.min_closed,
            # Opened without a query, the view shows the candidates; the form then says which.
            "flagged": True,
        }
        if data is not None:
            data = data.copy()
            for key, value in initial.items():
                if key != "flagged" and not data.get(key):
                    data[key] = value
        super().__init__(data if data is not None else initial, **kwargs)
        self.fields["township"].queryset = Unit.objects.townships()
        self.fields["department"].queryset = departments()
        self.fields["township"].label_from_instance = lambda unit: unit.name
        self.fields["department"].label_from_instance = lambda unit: unit.short_name
        self.fields["department"].empty_label = _("All departments")
        self.fields["township"].empty_label = _("All townships and streets")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The period starts after it ends."))
        return data

    def thresholds(self) -> Thresholds:
        defaults = Thresholds.from_settings()
        rate = self.cleaned_data.get("error_rate")
        closed = self.cleaned_data.get("min_closed")
        return Thresholds(
            error_rate=defaults.error_rate if rate is None else rate,
            min_closed=defaults.min_closed if closed is None else closed,
        )


class EvaluationForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("township"),
        queryset=Unit.objects.townships(),
        required=False,
        help_text=_("Empty: the item in all townships."),
    )
    period_start = forms.DateField(label=_("period from"), widget=DateInput())
    period_end = forms.DateField(label=_("period to"), widget=DateInput())
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=EvaluationDecision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    start_adjustment = forms.BooleanField(
        label=_("propose the recall now"),
        required=False,
        help_text=_("A recall decision starts the adjustment in the same step; it is then reviewed and approved."),
    )
    effective_date = forms.DateField(label=_("recall takes effect on"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Unit.objects.townships()
        self.fields["township"].label_from_instance = lambda unit: unit.name
        self.fields["township"].empty_label = _("All townships and streets")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("catalogue file"),
        help_text=_("XLSX, or CSV saved by Excel (UTF-8 or GBK). The first rows may hold a title."),
    )
    effective_date = forms.DateField(label=_("effective date"), widget=DateInput())
    recall_missing = forms.BooleanField(
        label=_("recall items missing from the file"),
        required=False,
        help_text=_("Only for a file that holds the whole official catalogue."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), params={"size": MAX_UPLOAD_BYTES >> 20}
            )
        return upload
