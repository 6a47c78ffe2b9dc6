"""The gazetteer in the Django admin: district admins keep the place names routing relies on.

Every save goes through the audited reference-data service of the cases app.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.translation import gettext_lazy as _

from ..services.config import reference_data_save
from .models import GazetteerEntry


class GazetteerEntryForm(forms.ModelForm):
    aliases = SimpleArrayField(
        forms.CharField(max_length=50),
        label=_("other names"),
        required=False,
        delimiter=",",
        help_text=_("Other spellings found in addresses, separated by commas."),
    )

    class Meta:
        model = GazetteerEntry
        fields = ["township", "name", "kind", "aliases", "verified", "source", "is_active"]


@admin.register(GazetteerEntry)
class GazetteerEntryAdmin(admin.ModelAdmin):
    form = GazetteerEntryForm
    list_display = ["name", "township", "kind", "verified", "is_active", "source"]
    list_filter = ["township", "kind", "verified", "is_active"]
    search_fields = ["name", "aliases"]
    list_select_related = ["township"]
    ordering = ["township__sort_order", "kind", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: routing notes of past orders name the entry

    def save_model(self, request, obj, form, change):
        reference_data_save(obj=obj, actor=request.user)
