"""Overrides of the working-day calendar for days announced after the package was released."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CalendarDayKind
from ..permissions import ALL_ROWS, RestrictedQuerySet


class CalendarOverride(models.Model):
    """A day whose status differs from the ``chinesecalendar`` package (or that it lacks).

    The State Council announces each year's holidays and make-up working days (调休) late in
    the previous year; an admin records them here until the package catches up.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 春节, 国庆节 调休上班"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def is_working_day(self) -> bool:
        return self.kind == CalendarDayKind.WORKING_DAY

    @classmethod
    def scope_q(cls, user, action):
        return ALL_ROWS
