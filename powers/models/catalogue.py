"""The catalogue of delegated powers: items, their versions, delegations and standards."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import (
    DelegationMode,
    DiscretionLevel,
    ItemStatus,
    LeniencyKind,
    PenaltyType,
    PowerKind,
    TownshipCoverage,
)
from .base import CatalogueModel

DEFAULT_HEARING_PERSON = 5000
DEFAULT_HEARING_ORGANISATION = 100000

code_validator = RegexValidator(r"^\d{12}$", _("The basic code has 12 digits."))


class PowerItem(CatalogueModel):
    """One enforcement power (职权事项) delegated by a district department to the townships.

    The row holds the current version; every change writes a :class:`PowerItemVersion` with
    the full snapshot and the date it took effect, so the history of an item is complete and a
    case can tell which version was in force on its date.
    """

    code = models.CharField(_("basic code"), max_length=12, validators=[code_validator])
    sub_code = models.CharField(_("sub-item code"), max_length=10, blank=True)
    name = models.CharField(_("item name"), max_length=300)
    kind = models.CharField(_("kind of power"), max_length=20, choices=PowerKind.choices)
    department = models.ForeignKey(
        "core.Unit",
        verbose_name=_("source department"),
        on_delete=models.PROTECT,
        related_name="power_items",
        limit_choices_to={"kind": "department"},
    )
    field = models.CharField(_("field"), max_length=50, blank=True)
    setting_basis = models.TextField(_("legal basis (设定依据)"), blank=True)
    penalty_basis = models.TextField(_("penalty basis (处罚依据)"), blank=True)
    penalty_types = ArrayField(
        models.CharField(max_length=30, choices=PenaltyType.choices),
        verbose_name=_("penalty types"),
        default=list,
        blank=True,  # inspections impose none
    )
    fine_min = models.DecimalField(_("minimum fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField(_("maximum fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    penalty_range = models.TextField(_("penalty range as written"), blank=True)
    hearing_threshold_person = models.DecimalField(
        _("hearing threshold for a person (yuan)"), max_digits=14, decimal_places=2, default=DEFAULT_HEARING_PERSON
    )
    hearing_threshold_organisation = models.DecimalField(
        _("hearing threshold for an organisation (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=DEFAULT_HEARING_ORGANISATION,
    )
    is_major = models.BooleanField(
        _("major enforcement decision (legal review required)"), default=False, help_text=_("APL Art. 58")
    )
    delegation_mode = models.CharField(
        _("delegation mode"), max_length=10, choices=DelegationMode.choices, default=DelegationMode.GRANT
    )
    coverage = models.CharField(
        _("townships covered"), max_length=10, choices=TownshipCoverage.choices, default=TownshipCoverage.ALL
    )
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.IN_FORCE)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    notes = models.TextField(_("notes"), blank=True)
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Part of the sample catalogue, not the official list.")
    )
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("power item")
        verbose_name_plural = _("power items")
        ordering = ["code", "sub_code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "sub_code"], name="powers_item_code_unique"),
            models.CheckConstraint(
                name="powers_item_fine_range",
                condition=Q(fine_min__isnull=True) | Q(fine_max__isnull=True) | Q(fine_min__lte=F("fine_max")),
            ),
            models.CheckConstraint(
                name="powers_item_validity",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="powers_item_search_gin"),
            models.Index(fields=["department", "status"], name="powers_item_dept_status_idx"),
            models.Index(fields=["kind", "status"], name="powers_item_kind_status_idx"),
            models.Index(fields=["status", "code"], name="powers_item_status_code_idx"),
            # "Are sample items shown?" answered without reading the table.
            models.Index(fields=["code"], condition=Q(is_sample=True), name="powers_item_sample_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_code} {self.name}"

    @property
    def full_code(self) -> str:
        return f"{self.code}-{self.sub_code}" if self.sub_code else self.code

    @property
    def penalty_type_labels(self) -> list[str]:
        labels = dict(PenaltyType.choices)
        return [str(labels.get(value, value)) for value in self.penalty_types]

    def hearing_threshold(self, *, organisation: bool):
        """The fine from which the party may request a hearing (APL Art. 63; 较大数额)."""
        return self.hearing_threshold_organisation if organisation else self.hearing_threshold_person


class PowerItemVersion(models.Model):
    """A snapshot of an item as it was from ``valid_from`` (the full history of the item)."""

    item = models.ForeignKey(PowerItem, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    data = models.JSONField(_("content"))
    change_summary = models.JSONField(_("what changed"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    adjustment = models.ForeignKey(
        "powers.Adjustment", null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        ordering = ["item", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="powers_version_unique")]

    def __str__(self) -> str:
        return f"{self.item.full_code} v{self.version}"


class Delegation(CatalogueModel):
    """Township T holds item X from ``valid_from`` to ``valid_to`` (inclusive; open-ended if null).

    Periods of one item and township never overlap (the services guarantee it), so "is X
    delegated to T on D" is one indexed lookup.
    """

    # No single-column indexes: the two composite indexes below lead with each key, and a
    # catalogue of millions of delegations should not maintain the same index twice.
    item = models.ForeignKey(PowerItem, on_delete=models.PROTECT, related_name="delegations", db_index=False)
    township = models.ForeignKey(
        "core.Unit",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="delegations",
        limit_choices_to={"kind": "township"},
        db_index=False,
    )
    valid_from = models.DateField(_("delegated from"))
    valid_to = models.DateField(_("delegated until"), null=True, blank=True)
    adjustment = models.ForeignKey(
        "powers.Adjustment", null=True, blank=True, on_delete=models.PROTECT, related_name="delegations"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["item", "township__sort_order", "valid_from"]
        constraints = [
            models.CheckConstraint(
                name="powers_delegation_period",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
        ]
        # "Held on day D" is answered from the index alone (valid_to is carried in it), for one
        # item (the selector, the matrix) or one township (its public page, the item chooser).
        indexes = [
            models.Index(
                fields=["township", "item", "valid_from"], include=["valid_to"], name="powers_deleg_township_idx"
            ),
            models.Index(fields=["item", "township", "valid_from"], include=["valid_to"], name="powers_deleg_item_idx"),
        ]

    def __str__(self) -> str:
        until = self.valid_to or "…"
        return f"{self.item.full_code} → {self.township} ({self.valid_from}–{until})"

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class DiscretionStandard(CatalogueModel):
    """A version of the discretion standard (裁量基准) of an item. Decisions pin the version."""

    item = models.ForeignKey(PowerItem, on_delete=models.PROTECT, related_name="discretion_standards")
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("discretion standard")
        verbose_name_plural = _("discretion standards")
        ordering = ["item", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="powers_discretion_version_unique")]

    def __str__(self) -> str:
        return f"{self.item.full_code} 裁量基准 v{self.version}"


class DiscretionBand(models.Model):
    """One band of a discretion standard: conditions and the range of the penalty."""

    standard = models.ForeignKey(DiscretionStandard, on_delete=models.CASCADE, related_name="bands")
    level = models.CharField(_("level"), max_length=10, choices=DiscretionLevel.choices)
    conditions = models.TextField(_("conditions"))
    fine_min = models.DecimalField(_("minimum fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField(_("maximum fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    measures = models.TextField(_("penalty in this band"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("discretion band")
        verbose_name_plural = _("discretion bands")
        ordering = ["standard", "sort_order"]
        constraints = [
            models.CheckConstraint(
                name="powers_band_fine_range",
                condition=Q(fine_min__isnull=True) | Q(fine_max__isnull=True) | Q(fine_min__lte=F("fine_max")),
            ),
            models.UniqueConstraint(fields=["standard", "level"], name="powers_band_level_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.fine_min}–{self.fine_max}"


class LeniencyEntry(CatalogueModel):
    """An entry of the reduced- or no-penalty list (减免责清单) for an item."""

    item = models.ForeignKey(PowerItem, on_delete=models.PROTECT, related_name="leniency_entries")
    kind = models.CharField(_("list"), max_length=20, choices=LeniencyKind.choices)
    circumstances = models.TextField(_("applicable circumstances (适用情形)"))
    basis = models.TextField(_("basis"))
    measures = models.TextField(_("accompanying supervision measures"), blank=True)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reduced- or no-penalty list entry")
        verbose_name_plural = _("reduced- and no-penalty list entries")
        ordering = ["item", "kind", "pk"]
        indexes = [models.Index(fields=["kind", "item"], name="powers_leniency_kind_idx")]

    def __str__(self) -> str:
        return f"{self.item.full_code} {self.get_kind_display()}"
