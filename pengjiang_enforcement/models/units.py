"""The organisation: the district, its townships and streets, their offices, the departments."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import TownshipType, UnitKind
from ..permissions import RestrictedQuerySet, ScopedModel


class UnitQuerySet(RestrictedQuerySet):
    def townships(self, *, active: bool | None = True) -> UnitQuerySet:
        """The townships and streets in their usual order (the active ones, unless ``active``
        is None for every one ever kept, or False for the closed ones)."""
        units = self.filter(kind=UnitKind.TOWNSHIP)
        if active is not None:
            units = units.filter(is_active=active)
        return units.order_by("sort_order", "pk")


class Unit(ScopedModel):
    """A unit of the organisation: the district, a township or street, an office, a department.

    Names and short names are data kept by district admins; the short name of a township is
    used in case numbers (e.g. "杜阮" in 蓬江杜阮综执立〔2026〕12号). Every unit that belongs
    to a township points at it through ``township`` (a township points at itself), so
    restricting any record to a township is one indexed comparison.
    """

    code = models.SlugField(
        _("code"), max_length=50, unique=True, help_text=_("Stable identifier, e.g. duruan-office.")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=20, help_text=_("Used in case and document numbers."))
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    township = models.ForeignKey(
        "self",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="township_units",
        editable=False,
    )
    township_type = models.CharField(_("town or street"), max_length=10, choices=TownshipType.choices, blank=True)
    aliases = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("other names"),
        default=list,
        blank=True,
        help_text=_(
            "Other names files use for this unit (e.g. 区城管局), separated by commas; imports match them. "
            "The usual forms of the name (without 江门市/蓬江区, 卫健 for 卫生健康 …) need no entry."
        ),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    township_lookup = "township"
    department_lookup = "pk"  # a department liaison sees their own department

    objects = UnitQuerySet.as_manager()  # type: ignore[misc]  # the chokepoint's queryset, with townships()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="core_unit_township_type_only_on_townships",
                condition=(Q(kind=UnitKind.TOWNSHIP) & ~Q(township_type=""))
                | (~Q(kind=UnitKind.TOWNSHIP) & Q(township_type="")),
            ),
        ]
        indexes = [models.Index(fields=["kind", "sort_order"], name="core_unit_kind_sort_idx")]

    def __str__(self) -> str:
        return self.name

    def resolve_township(self) -> Unit | None:
        """The township this unit belongs to, following parents (a township is its own)."""
        node: Unit | None = self
        while node is not None:
            if node.kind == UnitKind.TOWNSHIP:
                return node
            node = node.parent
        return None
