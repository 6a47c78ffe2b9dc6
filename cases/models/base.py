"""Scoping of the rows that hang off a case or a lead.

A party, an evidence item, a record or a deadline is visible exactly when its case (or lead) is:
their ``scope_q`` asks the case's (or lead's) own chokepoint, as a subquery, so there is one rule
for who sees a case and everything in it. ``restrict`` still ORs in django-guardian grants on the
child row itself.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from pengjiang_enforcement.permissions import ScopedModel


def limited_text(verbose_name: Any, limit: int, **kwargs: Any) -> models.TextField:
    """A long text with a limit: forms show and check it, ``full_clean`` holds it in services."""
    return models.TextField(verbose_name, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs)


class CaseChild(ScopedModel):
    """A row of a case: visible (changeable) when the case is visible (changeable)."""

    case_lookup = "case"

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user, action):
        from .cases import Case

        return Q(**{f"{cls.case_lookup}__in": Case.objects.restrict(user, action).values("pk")})


class CaseOrLeadChild(ScopedModel):
    """A row that belongs to a case or to a lead (exactly one of them)."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user, action):
        from .cases import Case
        from .leads import Lead

        return Q(case__in=Case.objects.restrict(user, action).values("pk")) | Q(
            lead__in=Lead.objects.restrict(user, action).values("pk")
        )
