"""The Django admin for district admins. Every save goes through the services (and the audit)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from . import services
from .middleware import current_user
from .models import AuditLog, CalendarOverride, EnforcementCertificate, Unit, User

admin.site.site_header = _("Pengjiang enforcement portal: administration")
admin.site.site_title = _("Portal administration")
admin.site.index_title = _("Organisation, people and audit")


class RestrictedAdminMixin:
    """Admin lists go through the permission chokepoint like every other list."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")


@admin.register(Unit)
class UnitAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "township", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "aliases"]
    ordering = ["sort_order", "pk"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "kind", "parent", "township_type"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f in services.UNIT_EDITABLE_FIELDS}
            services.unit_update(unit=obj, actor=request.user, **fields)
        else:
            created = services.unit_create(
                actor=request.user,
                **{
                    f: form.cleaned_data.get(f)
                    for f in ["code", "kind", "name", "short_name", "parent", "township_type", "sort_order", "aliases"]
                },
            )
            obj.pk = created.pk


class PortalUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "unit")


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit=True):
        services.user_change_password(user=self.user, actor=current_user(), new_password=self.cleaned_data["password1"])
        self.user.refresh_from_db()
        return self.user


class CertificateInline(admin.TabularInline):
    model = EnforcementCertificate
    extra = 0
    can_delete = False
    fields = ["number", "issuing_body", "valid_from", "valid_to", "revoked_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class PortalUserAdmin(RestrictedAdminMixin, UserAdmin):
    add_form = PortalUserCreationForm
    change_password_form = AuditedPasswordChangeForm
    list_display = ["username", "full_name", "unit", "is_active", "last_login"]
    list_filter = ["is_active", "groups", "unit__kind"]
    search_fields = ["username", "full_name"]
    ordering = ["unit__sort_order", "username"]
    inlines = [CertificateInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "unit", "title", "phone", "email")}),
        (_("Roles"), {"fields": ("groups", "legal_qualification", "legal_qualification_number")}),
        (_("Account"), {"fields": ("is_active", "is_staff", "last_login", "previous_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "previous_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        if change:
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f in services.USER_EDITABLE_FIELDS}
            services.user_update(user=obj, actor=request.user, **fields)
        else:
            created = services.user_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                unit=form.cleaned_data["unit"],
                password=form.cleaned_data.get("password1"),
            )
            obj.pk = created.pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        if change and "groups" in form.cleaned_data:
            services.user_update(
                user=form.instance, actor=request.user, roles=[g.name for g in form.cleaned_data["groups"]]
            )


@admin.register(EnforcementCertificate)
class CertificateAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "user", "issuing_body", "valid_from", "valid_to", "revoked_on"]
    search_fields = ["number", "user__full_name"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "number", "issuing_body", "valid_from", "valid_to"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            if "revoked_on" in form.changed_data and obj.revoked_on:
                services.certificate_revoke(actor=request.user, certificate=obj, revoked_on=obj.revoked_on)
            return
        created = services.certificate_add(
            actor=request.user,
            **{f: form.cleaned_data[f] for f in ["user", "number", "issuing_body", "valid_from", "valid_to"]},
        )
        obj.pk = created.pk


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name", "note"]
    fields = ["date", "kind", "name", "note"]

    def save_model(self, request, obj, form, change):
        created = services.calendar_override_set(
            actor=request.user, **{f: form.cleaned_data[f] for f in ["date", "kind", "name", "note"]}
        )
        obj.pk = created.pk


@admin.register(AuditLog)
class AuditLogAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "actor_repr", "action", "object_repr", "request_id"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_repr", "request_id"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """Roles and their permissions are set by migrations; the admin shows them read-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
