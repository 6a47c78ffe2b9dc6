"""The case (案件) and its handling officers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.permissions import ALL_ROWS, ScopedModel, user_scope

from ..choices import CASE_LIVE_STATES, CaseState, LeadSource, OfficerRole, Procedure
from ..constants import LONG_TEXT_CHARS
from .base import limited_text


class Case(ScopedModel):
    """One administrative-penalty case of a township office, from the filing request on.

    ``state`` moves only through the services of ``cases.services``, following the table in
    ``cases.workflow``. ``version`` grows with every change of the case row: forms carry the
    version they showed, and a save against an older version is refused (compare-and-set), so
    two browsers never overwrite each other.

    ``next_due_on`` (the earliest open deadline) and ``party_summary`` (the parties' names) are
    kept by the services so queues can filter, flag and show them without a join per row.
    """

    township = models.ForeignKey(
        "core.Unit", verbose_name=_("township"), on_delete=models.PROTECT, related_name="cases"
    )
    lead = models.ForeignKey(
        "cases.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    procedure = models.CharField(_("procedure"), max_length=10, choices=Procedure.choices, default=Procedure.GENERAL)
    state = models.CharField(_("state"), max_length=30, choices=CaseState.choices, default=CaseState.FILING_PENDING)
    number = models.CharField(_("case number"), max_length=60, blank=True)
    title = models.CharField(_("cause of action (案由)"), max_length=200)
    facts = limited_text(_("facts and reasons for filing"), LONG_TEXT_CHARS)
    place = models.CharField(_("place of the act"), max_length=200)
    source = models.CharField(_("source"), max_length=30, choices=LeadSource.choices)
    act_date = models.DateField(_("date of the act"))
    act_continuing = models.BooleanField(
        _("continuing or repeated act"), default=False, help_text=_("The limitation period runs from its end.")
    )
    act_end_date = models.DateField(_("end of the act"), null=True, blank=True)
    serious_harm = models.BooleanField(
        _("harmed life, health or financial safety"),
        default=False,
        help_text=_("Extends the limitation period to five years (APL Art. 36)."),
    )
    discovered_on = models.DateField(_("discovered on"))
    power_item = models.ForeignKey(
        "powers.PowerItem", verbose_name=_("power item"), on_delete=models.PROTECT, related_name="+"
    )
    power_item_version = models.ForeignKey(
        "powers.PowerItemVersion",
        verbose_name=_("item version on the date of the act"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handling officers"),
        through="cases.CaseOfficer",
        related_name="handled_cases",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filing requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("filing requested at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filing approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    decision_due = models.DateField(_("decision due on"), null=True, blank=True)
    next_due_on = models.DateField(_("next deadline"), null=True, blank=True)
    party_summary = models.CharField(_("parties"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    township_lookup = "township"
    department_lookup = "power_item__department"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        permissions = [
            ("approve_case", _("Can approve filings, extensions and preservations")),
            ("export_case", _("Can export case lists")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="cases_case_number_unique"),
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(lead__isnull=False) & ~Q(state=CaseState.WITHDRAWN),
                name="cases_case_one_live_case_per_lead",
            ),
            models.CheckConstraint(
                name="cases_case_act_end_after_start",
                condition=Q(act_end_date__isnull=True) | Q(act_end_date__gte=F("act_date")),
            ),
            models.CheckConstraint(
                name="cases_case_filed_has_number",
                condition=Q(filed_on__isnull=True) | ~Q(number=""),
            ),
        ]
        indexes = [
            # The township queue: newest first, by state, by deadline, by filing date, by item.
            models.Index(fields=["township", "-id"], name="cases_case_township_idx"),
            # The default queue (live cases, newest first, to page 200) and its deadline sort.
            models.Index(
                fields=["township", "-id"], condition=Q(state__in=CASE_LIVE_STATES), name="cases_case_live_idx"
            ),
            models.Index(fields=["township", "state", "-id"], name="cases_case_township_state_idx"),
            models.Index(
                fields=["township", "next_due_on"],
                condition=Q(next_due_on__isnull=False),
                name="cases_case_township_due_idx",
            ),
            models.Index(fields=["township", "-filed_on"], name="cases_case_township_filed_idx"),
            models.Index(fields=["township", "power_item", "-id"], name="cases_case_township_item_idx"),
            models.Index(fields=["township", "source", "-id"], name="cases_case_township_source_idx"),
            models.Index(fields=["power_item", "-id"], name="cases_case_item_idx"),
            # The home pages: live cases by nearest deadline, ties by id as the queue sorts them
            # (an officer's own are found along it, a few rows in; the overdue panel reads its
            # first rows), and the filings waiting for the head, oldest first.
            models.Index(
                fields=["township", "next_due_on", "id"],
                condition=Q(state__in=CASE_LIVE_STATES),
                name="cases_case_live_due_idx",
            ),
            models.Index(
                fields=["township", "requested_at"],
                condition=Q(state=CaseState.FILING_PENDING),
                name="cases_case_filing_queue_idx",
            ),
            GinIndex(fields=["search_vector"], name="cases_case_search_gin"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk} {self.title}"

    @property
    def display_number(self) -> str:
        """The case number, or (before approval, when it has none) its cause of action."""
        return self.number or self.title

    @property
    def limitation_start(self):
        """APL Art. 36: a continuing act's period runs from the day it ended."""
        return self.act_end_date if self.act_continuing and self.act_end_date else self.act_date

    @classmethod
    def scope_q(cls, user, action):
        """Who may do what with which cases.

        view: the township's staff see its cases (the judicial office read-only, having no
        change permission); district staff see all; a department liaison sees the cases that use
        the department's powers. change: only the handling officers of the case. approve: the
        office heads of the township (they hold ``cases.approve_case``).
        """
        scope = user_scope(user)
        if action == "view":
            if scope.everything:
                return ALL_ROWS
            if scope.township_id:
                return Q(township_id=scope.township_id)
            if scope.department_id:
                return Q(power_item__department_id=scope.department_id)
            return None
        if not scope.township_id:
            return None  # the district reads; townships handle their own cases
        if action == "approve":
            return Q(township_id=scope.township_id)
        handled = CaseOfficer.objects.filter(user=user).values("case_id")
        return Q(township_id=scope.township_id) & Q(pk__in=handled)

    @classmethod
    def row_q(cls, user, action):
        """:meth:`scope_q` for one case (``can``): "the user handles it" as an ``EXISTS`` on that
        case's officer links (the (case, user) unique index), not the set of every case the user
        has ever handled, which grows with their career."""
        if action in ("view", "approve"):
            return cls.scope_q(user, action)
        scope = user_scope(user)
        if not scope.township_id:
            return None
        handles = CaseOfficer.objects.filter(case=OuterRef("pk"), user=user)
        return Q(Exists(handles), township_id=scope.township_id)


class CaseOfficer(models.Model):
    """A handling officer of a case, with the certificate that made them one (APL Art. 42)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="officer_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="case_links"
    )
    role = models.CharField(_("role"), max_length=10, choices=OfficerRole.choices, default=OfficerRole.ASSISTING)
    certificate = models.ForeignKey(
        "core.EnforcementCertificate",
        verbose_name=_("certificate on filing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("handling officer")
        verbose_name_plural = _("handling officers")
        ordering = ["id"]  # the lead officer is inserted first (see services.filing._set_officers)
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="cases_caseofficer_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(role=OfficerRole.LEAD), name="cases_caseofficer_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["user", "case"], name="cases_caseofficer_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
