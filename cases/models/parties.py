"""Parties (当事人): the people and organisations a case is against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import Gender, PartyKind
from .base import CaseChild


class Party(CaseChild):
    """A party of a case: a person (居民身份证) or an organisation (统一社会信用代码).

    ``identity_key`` is the identity number or the credit code, upper-cased: the same party in
    another case of any township is found through it (their earlier cases matter for 首违不罚).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    name = models.CharField(_("name of the person or organisation"), max_length=200)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    id_number = models.CharField(_("resident identity card number"), max_length=18, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    identity_key = models.CharField(_("identity key"), max_length=18, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "id"]
        # A party's phone and address: readers of the case who contact or serve the party.
        permissions = [("view_contact_party", _("Can view the phone and address of a party"))]
        constraints = [
            models.CheckConstraint(
                name="cases_party_person_fields",
                condition=~Q(kind=PartyKind.PERSON) | (Q(credit_code="") & Q(legal_representative="")),
            ),
            models.CheckConstraint(
                name="cases_party_organisation_fields",
                condition=~Q(kind=PartyKind.ORGANISATION) | (Q(id_number="") & Q(gender="")),
            ),
        ]
        indexes = [
            models.Index(fields=["identity_key"], condition=~Q(identity_key=""), name="cases_party_identity_idx"),
            models.Index(fields=["name"], name="cases_party_name_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_person(self) -> bool:
        return self.kind == PartyKind.PERSON
