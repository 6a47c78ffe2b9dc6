"""Evidence (APL Art. 46) and the files uploaded for it and for leads.

Files are content-addressed: a :class:`StoredFile` is named after the SHA-256 of its bytes and
written once; uploading the same bytes again reuses it, and nothing is ever overwritten. An
:class:`Attachment` is one upload of a stored file to an evidence item or a lead, with the name
the user gave it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.permissions import ScopedModel

from ..choices import EvidenceKind
from ..constants import NOTE_TEXT_CHARS
from .base import CaseChild, limited_text


class StoredFile(models.Model):
    """The bytes of an upload, stored once under their SHA-256."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    storage_name = models.CharField(_("stored as"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.sha256


class Evidence(CaseChild):
    """One item of evidence, numbered within its case (证据目录), with its files."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="evidence")
    seq = models.PositiveIntegerField(_("no."))
    kind = models.CharField(_("kind"), max_length=30, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = limited_text(_("what it proves"), NOTE_TEXT_CHARS, blank=True)
    provider = models.CharField(_("provided by or collected from"), max_length=200, blank=True)
    collected_on = models.DateField(_("collected on"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("collected by"), on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.OneToOneField(
        "cases.InspectionRecord",
        verbose_name=_("inspection record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_item",
    )
    interview = models.OneToOneField(
        "cases.InterviewRecord",
        verbose_name=_("interview record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_item",
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence")
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="cases_evidence_seq_unique")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.title}"


class Attachment(ScopedModel):
    """A file uploaded to an evidence item or to a lead (downloads go through the chokepoint)."""

    blob = models.ForeignKey(StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="attachments")
    evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence item"), null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    lead = models.ForeignKey(
        "cases.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="cases_attachment_one_owner",
                condition=(Q(evidence__isnull=False) & Q(lead__isnull=True))
                | (Q(evidence__isnull=True) & Q(lead__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def scope_q(cls, user, action):
        from .cases import Case
        from .leads import Lead

        return Q(evidence__case__in=Case.objects.restrict(user, action).values("pk")) | Q(
            lead__in=Lead.objects.restrict(user, action).values("pk")
        )
