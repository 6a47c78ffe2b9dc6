"""The procedures around the catalogue: adjustments, evaluations, usage records, imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.models import BackgroundJob

from ..choices import AdjustmentKind, AdjustmentStatus, EvaluationDecision, ImportStatus, UsageKind
from .base import CatalogueModel

# An adjustment is open until it is in effect, rejected or withdrawn; one that could not be
# applied stays open (it still holds its item) until an admin retries or withdraws it.
OPEN_ADJUSTMENT_STATUSES = [
    AdjustmentStatus.PROPOSED,
    AdjustmentStatus.REVIEWED,
    AdjustmentStatus.APPROVED,
    AdjustmentStatus.FAILED,
]


class Adjustment(CatalogueModel):
    """A change to the catalogue by procedure: propose → review → approve, effective on a date.

    Nothing changes before ``effective_date``: a beat task applies approved adjustments whose
    date has come. One item has at most one open adjustment at a time.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AdjustmentKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PROPOSED
    )
    item = models.ForeignKey(
        "powers.PowerItem",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    proposed_data = models.JSONField(_("proposed content"), default=dict, blank=True)
    townships = models.ManyToManyField(
        "core.Unit",
        verbose_name=_("townships concerned"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "township"},
    )
    reason = models.TextField(_("reason"))
    effective_date = models.DateField(_("effective date"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review opinion"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    approval_number = models.CharField(_("number of the approving document"), max_length=100, blank=True)
    approval_document = models.FileField(
        _("approving document"), upload_to="adjustment-documents/%Y/%m/", blank=True, max_length=255
    )
    approval_document_name = models.CharField(_("file name"), max_length=255, blank=True)
    approval_document_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    failure = models.TextField(_("why it could not be applied"), blank=True)
    evaluation = models.ForeignKey(
        "powers.Evaluation", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    catalogue_import = models.ForeignKey(
        "powers.CatalogueImport", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=OPEN_ADJUSTMENT_STATUSES),
                name="powers_one_open_adjustment_per_item",
            ),
            models.CheckConstraint(
                name="powers_adjustment_item_unless_add",
                condition=Q(kind=AdjustmentKind.ADD) | Q(item__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_date"], name="powers_adj_due_idx")]

    def __str__(self) -> str:
        target = self.item.full_code if self.item_id else self.proposed_data.get("code", "")
        return f"{self.get_kind_display()} {target}"

    # What a page asks of an adjustment, so templates never compare status strings.
    @property
    def is_failed(self) -> bool:
        return self.status == AdjustmentStatus.FAILED

    @property
    def is_rejected(self) -> bool:
        return self.status == AdjustmentStatus.REJECTED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == AdjustmentStatus.WITHDRAWN


class AdjustmentOpinion(CatalogueModel):
    """The opinion of the department that delegated the item, given in the procedure by its liaison.

    Recorded before the decision, read by the reviewer and the approver; never edited (a second
    opinion is a new row).
    """

    adjustment = models.ForeignKey(Adjustment, on_delete=models.PROTECT, related_name="opinions")
    department = models.ForeignKey(
        "core.Unit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.TextField(_("opinion"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("department opinion")
        verbose_name_plural = _("department opinions")
        ordering = ["adjustment", "given_at", "pk"]

    def __str__(self) -> str:
        return f"{self.adjustment_id} {self.department_id}"


class Evaluation(CatalogueModel):
    """A dynamic-evaluation record: keep, adjust or recall an item, with the figures behind it."""

    item = models.ForeignKey("powers.PowerItem", on_delete=models.PROTECT, related_name="evaluations")
    township = models.ForeignKey(
        "core.Unit",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the item in all townships."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    decision = models.CharField(_("decision"), max_length=10, choices=EvaluationDecision.choices)
    reasons = models.TextField(_("reasons"))
    figures = models.JSONField(_("figures"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item.full_code} {self.get_decision_display()}"


class PowerUsage(models.Model):
    """A fact about an item's use, written by the cases app (which this app may not import).

    One row per case and kind: filed, closed, decided late, overturned. The evaluation counts
    them per item and township over a period.
    """

    item = models.ForeignKey(
        "powers.PowerItem", on_delete=models.PROTECT, related_name="usages", db_index=False
    )  # powers_usage_item_idx leads with it
    township = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField(_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        constraints = [models.UniqueConstraint(fields=["case_id", "kind"], name="powers_usage_case_kind_unique")]
        indexes = [
            models.Index(fields=["item", "township", "date"], name="powers_usage_item_idx"),
            # The evaluation reads one period across every item.
            models.Index(fields=["date", "item"], name="powers_usage_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.date}"


class CatalogueImport(BackgroundJob, CatalogueModel):
    """An upload of the official catalogue: read, previewed, then applied on confirmation."""

    audit_prefix = "powers.import."
    tasks = {
        ImportStatus.QUEUED: "powers.import_parse",
        ImportStatus.READING: "powers.import_parse",
        ImportStatus.APPLYING: "powers.import_apply",
    }

    file = models.FileField(_("file"), upload_to="catalogue-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    # How many changes of the confirmed preview are done: a worker that dies mid-way (or a
    # task delivered twice) resumes after them instead of starting again.
    applied_rows = models.PositiveIntegerField(_("changes applied"), default=0)
    effective_date = models.DateField(_("effective date"))
    recall_missing = models.BooleanField(
        _("recall items missing from the file"),
        default=False,
        help_text=_("Only for a file that holds the whole official catalogue."),
    )
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
