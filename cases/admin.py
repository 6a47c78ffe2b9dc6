"""The Django admin of the cases app.

Cases and leads are read here (never written: their changes go through the procedure's
services); the data the law leaves open (number patterns, extension steps, the procedure policy)
is kept here by district admins, through an audited service.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from pengjiang_enforcement.admin import RestrictedAdminMixin

from .models import Case, ExtensionStep, Lead, NumberPattern, ProcedurePolicy
from .services.config import reference_data_save
from .services.numbering import pattern_problem


class ReadOnlyAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "township", "state", "power_item", "filed_on", "next_due_on", "party_summary"]
    list_filter = ["state", "township", "procedure", "source"]
    search_fields = ["number", "party_summary"]
    list_select_related = ["township", "power_item"]
    ordering = ["-id"]
    exclude = ["search_vector"]
    # One COUNT of the filtered rows per page is the admin's price; the full count is spared.
    show_full_result_count = False


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["reference", "township", "source", "status", "discovered_on", "check_due"]
    list_filter = ["status", "source", "township"]
    search_fields = ["reference", "hotline_order_no"]
    list_select_related = ["township"]
    ordering = ["-id"]
    exclude = ["search_vector"]


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        reference_data_save(obj=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class NumberPatternForm(forms.ModelForm):
    class Meta:
        model = NumberPattern
        fields = ["township", "doc_type", "pattern"]

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        problem = pattern_problem(pattern)
        if problem:
            raise forms.ValidationError(problem)
        return pattern


@admin.register(NumberPattern)
class NumberPatternAdmin(AuditedAdmin):
    form = NumberPatternForm
    list_display = ["doc_type", "township", "pattern"]
    list_filter = ["doc_type"]


@admin.register(ExtensionStep)
class ExtensionStepAdmin(AuditedAdmin):
    list_display = ["step", "township", "days", "needs_collective_discussion", "description"]


@admin.register(ProcedurePolicy)
class ProcedurePolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "check_working_days", "due_soon_days"]
