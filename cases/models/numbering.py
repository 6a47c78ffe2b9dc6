"""Document numbers: patterns (data), counters, and the register of every number issued."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import DocumentType


class NumberPattern(models.Model):
    """How a document type is numbered, e.g. ``{district}{township}综执立〔{year}〕{seq}号``.

    Placeholders: ``{district}`` and ``{township}`` (the units' short names), ``{year}``,
    ``{seq}`` (optionally padded: ``{seq:03d}``). A township may have its own pattern
    (``township`` set); otherwise the district's applies.
    """

    township = models.ForeignKey(
        "core.Unit", verbose_name=_("township"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    pattern = models.CharField(
        _("pattern"),
        max_length=100,
        help_text=_("Placeholders: {district} {township} {year} {seq}; pad the sequence with {seq:03d}."),
    )

    class Meta:
        verbose_name = _("number pattern")
        verbose_name_plural = _("number patterns")
        ordering = ["doc_type", "township"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "doc_type"], name="cases_numberpattern_unique", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return self.pattern


class NumberSequence(models.Model):
    """The last number issued per township, document type and year.

    Allocation is one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` inside the transaction
    that uses the number: the row stays locked until that transaction ends, so concurrent
    approvals queue for it, and a rolled-back approval rolls its number back (no gaps).
    """

    township = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveIntegerField(_("last number issued"))

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["township", "doc_type", "year"], name="cases_numberseq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.year}: {self.last_value}"


class IssuedNumber(models.Model):
    """Every number ever issued: the database refuses a duplicate sequence or text."""

    township = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=60)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued number")
        verbose_name_plural = _("issued numbers")
        constraints = [
            models.UniqueConstraint(fields=["township", "doc_type", "year", "seq"], name="cases_issued_seq_unique"),
            models.UniqueConstraint(fields=["number"], name="cases_issued_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number
