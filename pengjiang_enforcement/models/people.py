"""People: portal users, their unit and roles, enforcement certificates."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..choices import Role
from ..permissions import RestrictedQuerySet, ScopedModel


class PortalUserManager(UserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """User manager whose querysets go through the permission chokepoint."""


class User(AbstractUser, ScopedModel):
    """A person who signs in: officer, supervisor, admin, liaison or social supervisor.

    A user belongs to one unit; their roles are Django groups named after ``Role`` values.
    """

    full_name = models.CharField(_("full name"), max_length=50)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    title = models.CharField(_("post"), max_length=50, blank=True)
    legal_qualification = models.BooleanField(
        _("holds the legal professional qualification"),
        default=False,
        help_text=_("Required of a first-time legal reviewer (APL Art. 58)."),
    )
    legal_qualification_number = models.CharField(
        _("legal qualification certificate number"), max_length=50, blank=True
    )
    # ``last_login`` is the sign-in now in progress from the moment it succeeds; a person checking
    # for sign-ins that were not theirs needs the one before it.
    previous_login = models.DateTimeField(_("previous sign-in"), null=True, blank=True, editable=False)

    objects = PortalUserManager()  # type: ignore[misc]  # Django's user manager, through the chokepoint

    township_lookup = "unit__township"
    department_lookup = "unit"

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["unit__sort_order", "username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        """The codes of the roles this user holds (names of their groups)."""
        valid = set(Role.values)
        # .all() so that a prefetch of "groups" on a list of users is used
        return frozenset(group.name for group in self.groups.all() if group.name in valid)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes & set(roles))

    @property
    def roles(self) -> list[Role]:
        return [Role(code) for code in Role.values if code in self.role_codes]

    @property
    def township(self):
        unit = self.unit if self.unit_id else None
        return unit.township if unit is not None else None

    def valid_certificate_on(self, day: datetime.date) -> EnforcementCertificate | None:
        """The enforcement certificate valid on ``day``, if any (APL Art. 42)."""
        return self.certificates.valid_on(day).order_by("-valid_to").first()


class CertificateQuerySet(RestrictedQuerySet):
    def valid_on(self, day: datetime.date) -> CertificateQuerySet:
        return self.filter(valid_from__lte=day, valid_to__gte=day).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day)
        )


class EnforcementCertificate(ScopedModel):
    """An administrative enforcement certificate (行政执法证): number, issuer, validity.

    APL Art. 42: penalties are imposed by officers holding enforcement qualifications; a case
    needs at least two officers whose certificates are valid on the day.
    """

    user = models.ForeignKey(
        "core.User", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()  # type: ignore[misc]

    township_lookup = "user__unit__township"

    class Meta:
        verbose_name = _("enforcement certificate")
        verbose_name_plural = _("enforcement certificates")
        ordering = ["-valid_to"]
        constraints = [
            models.CheckConstraint(name="core_certificate_valid_range", condition=Q(valid_to__gte=F("valid_from"))),
        ]
        indexes = [models.Index(fields=["user", "valid_to"], name="core_cert_user_valid_idx")]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: datetime.date) -> bool:
        if self.revoked_on is not None and self.revoked_on <= day:
            return False
        return self.valid_from <= day <= self.valid_to
