"""The catalogue's rules: one small function per rule, named as the rule code it raises.

Services call them; tests name them. Where the law fixes the rule the docstring cites it.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.files.base import File
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.exceptions import RuleViolation
from pengjiang_enforcement.workdays import today as local_today

from .choices import AdjustmentStatus, DiscretionLevel, LeniencyKind, PowerKind
from .models import Adjustment, CatalogueImport, DiscretionBand, DiscretionStandard, LeniencyEntry, PowerItem

# The approving document: a scan or the electronic original (PDF, OFD, or a photo of the paper).
DOCUMENT_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".ofd": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Whoever may give the opinion of a department on an adjustment of its item, and until when.
OPINION_STATUSES = frozenset({AdjustmentStatus.PROPOSED, AdjustmentStatus.REVIEWED})
# The lists that lighten a penalty; the no-coercion list is about coercive measures.
PENALTY_LISTS = frozenset({LeniencyKind.NO_PENALTY, LeniencyKind.MITIGATED, LeniencyKind.LIGHTER})


def catalogue_fine_range(fine_min: Decimal | None, fine_max: Decimal | None) -> None:
    """A fine range whose minimum exceeds its maximum is refused."""
    if fine_min is not None and fine_max is not None and fine_min > fine_max:
        raise RuleViolation(
            _("The minimum fine (%(min)s) exceeds the maximum (%(max)s)."),
            rule="catalogue_fine_range",
            params={"min": fine_min, "max": fine_max},
        )
    if (fine_min is not None and fine_min < 0) or (fine_max is not None and fine_max < 0):
        raise RuleViolation(_("A fine cannot be negative."), rule="catalogue_fine_range")


def catalogue_effective_date(day: datetime.date, *, today: datetime.date) -> None:
    """A change to the catalogue takes effect today or later, never in the past."""
    if day < today:
        raise RuleViolation(
            _("The effective date %(day)s is in the past; changes take effect today or later."),
            rule="catalogue_effective_date",
            params={"day": day.isoformat()},
        )


def catalogue_effective_date_far_ahead(day: datetime.date, *, today: datetime.date) -> str:
    """A date far ahead is allowed (a change announced a year early) but is often a typed year:
    the warning to show, or "" for a date within ``POWERS_FAR_AHEAD_DAYS``. Never a refusal."""
    days = int(getattr(settings, "POWERS_FAR_AHEAD_DAYS", 365))
    if (day - today).days <= days:
        return ""
    return _("The effective date %(day)s is more than %(days)s days ahead; check that the year is right.") % {
        "day": day.isoformat(),
        "days": days,
    }


def adjustment_four_eyes(adjustment: Adjustment, actor: object) -> None:
    """Four eyes: whoever proposed an adjustment neither reviews nor approves it.

    An import's adjustments are proposed by the admin who uploaded the file and approved by the
    one who confirmed it, who is another (:func:`import_four_eyes`).
    """
    if actor is not None and getattr(actor, "pk", None) == adjustment.proposed_by_id:
        raise RuleViolation(
            _("You proposed this adjustment: another administrator reviews and approves it."),
            rule="adjustment_four_eyes",
        )


def import_four_eyes(job: CatalogueImport, actor: object) -> None:
    """Four eyes on an import: its confirmation turns every change of the file into an approved
    adjustment, so whoever uploaded the file does not confirm it."""
    if actor is not None and getattr(actor, "pk", None) == job.created_by_id:
        raise RuleViolation(
            _("You uploaded this file: another administrator checks the preview and confirms it."),
            rule="import_four_eyes",
        )


def adjustment_approval_document(adjustment: Adjustment, number: str, document: File | None) -> None:
    """An adjustment is approved by a document (批复/决定): its number and the document itself are
    recorded with the approval. An import's adjustments are approved by confirming the import,
    which keeps the official catalogue's file."""
    if adjustment.catalogue_import_id is not None:
        return
    if not (number or "").strip():
        raise RuleViolation(
            _("Give the number of the document that approves the adjustment."), rule="adjustment_approval_document"
        )
    if document is None and not adjustment.approval_document:
        raise RuleViolation(_("Attach the document that approves the adjustment."), rule="adjustment_approval_document")


def adjustment_document_file(document: File) -> None:
    """The approving document is a PDF, OFD or image file of reasonable size, as its content shows."""
    name = os.path.basename(document.name or "")
    extension = os.path.splitext(name)[1].lower()
    if not document.size:
        raise RuleViolation(_("The file “%(name)s” is empty."), rule="adjustment_document_file", params={"name": name})
    if document.size > DOCUMENT_MAX_BYTES:
        raise RuleViolation(
            _("The file “%(name)s” is %(size)s; files up to %(limit)s are accepted."),
            rule="adjustment_document_file",
            params={"name": name, "size": filesizeformat(document.size), "limit": filesizeformat(DOCUMENT_MAX_BYTES)},
        )
    document.seek(0)
    head = document.read(16)
    document.seek(0)
    if extension not in DOCUMENT_TYPES or not head.startswith(DOCUMENT_TYPES[extension]):
        raise RuleViolation(
            _("The approving document must be a PDF, OFD, JPG or PNG file; “%(name)s” is not."),
            rule="adjustment_document_file",
            params={"name": name},
        )


def adjustment_opinion_by_liaison(actor: object, department_id: int | None) -> None:
    """The opinion of a department is given by a liaison of that department: the department
    that delegated the item (区级部门的业务指导), not any department."""
    if (
        department_id is None
        or Role.DEPARTMENT_LIAISON not in getattr(actor, "role_codes", set())
        or getattr(actor, "unit_id", None) != department_id
    ):
        raise RuleViolation(
            _("Only the liaison of the department that delegated the item gives its opinion."),
            rule="adjustment_opinion_by_liaison",
        )


def adjustment_opinion_open(adjustment: Adjustment) -> None:
    """The department's opinion comes before the decision: it is given while the adjustment is
    proposed or reviewed, so the approver reads it."""
    if adjustment.status not in OPINION_STATUSES:
        raise RuleViolation(
            _("The adjustment is “%(status)s”: the time for opinions is over."),
            rule="adjustment_opinion_open",
            params={"status": adjustment.get_status_display()},
        )


def discretion_band_within_statutory_range(item: PowerItem, band: DiscretionBand) -> None:
    """APL Art. 34: a discretion standard refines the legal range; a band cannot leave it."""
    low, high = item.fine_min, item.fine_max
    if (band.fine_min is not None and low is not None and Decimal(band.fine_min) < Decimal(low)) or (
        band.fine_max is not None and high is not None and Decimal(band.fine_max) > Decimal(high)
    ):
        raise RuleViolation(
            _("The level %(level)s (%(min)s–%(max)s yuan) leaves the legal range of the item (%(low)s–%(high)s yuan)."),
            rule="discretion_band_within_statutory_range",
            params={
                "level": DiscretionLevel(band.level).label,
                "min": band.fine_min if band.fine_min is not None else "",
                "max": band.fine_max if band.fine_max is not None else "",
                "low": low if low is not None else "",
                "high": high if high is not None else "",
            },
        )


def discretion_band_overlap(bands: Sequence[DiscretionBand]) -> None:
    """APL Art. 34: the levels of a discretion standard divide the legal range between them; two
    levels whose fine ranges overlap give one case two answers. Levels may meet at a boundary
    (“500元以下” and “500元以上”); a level without a fine (a warning) has no range."""
    ranged = [b for b in bands if b.fine_min is not None or b.fine_max is not None]
    for index, first in enumerate(ranged):
        for second in ranged[index + 1 :]:
            low = max(_bound(first.fine_min, Decimal("-Infinity")), _bound(second.fine_min, Decimal("-Infinity")))
            high = min(_bound(first.fine_max, Decimal("Infinity")), _bound(second.fine_max, Decimal("Infinity")))
            if low < high:
                raise RuleViolation(
                    _(
                        "The fine ranges of the levels %(first)s and %(second)s overlap; "
                        "each fine belongs to one level."
                    ),
                    rule="discretion_band_overlap",
                    params={
                        "first": DiscretionLevel(first.level).label,
                        "second": DiscretionLevel(second.level).label,
                    },
                )


def _bound(value: Decimal | str | None, default: Decimal) -> Decimal:
    return default if value is None else Decimal(value)


def _band_content(band: DiscretionBand) -> tuple:
    def amount(value: Decimal | str | None) -> Decimal | None:
        return None if value is None else Decimal(value).normalize()

    return (band.level, band.conditions.strip(), amount(band.fine_min), amount(band.fine_max), band.measures.strip())


def discretion_republication_unchanged(
    latest: DiscretionStandard | None, latest_bands: Sequence[DiscretionBand], bands: Sequence[DiscretionBand]
) -> None:
    """A new version of a discretion standard changes something: publishing the latest version
    again, level for level, would only start a second record of the same standard."""
    if latest is None:
        return
    if sorted(map(_band_content, latest_bands)) == sorted(map(_band_content, bands)):
        raise RuleViolation(
            _("The standard is the same as version %(version)s; a new version must change something."),
            rule="discretion_republication_unchanged",
            params={"version": latest.version},
        )


def leniency_republication_unchanged(item: PowerItem, *, kind: str, circumstances: str, day: datetime.date) -> None:
    """An item is on a list once for the same circumstances: an entry that repeats one still
    applying on its first day adds nothing but a second record of it."""
    still = LeniencyEntry.objects.filter(item=item, kind=kind, circumstances=circumstances.strip()).filter(
        models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day)
    )
    if still.exists():
        raise RuleViolation(
            _("The item is already on %(list)s for these circumstances."),
            rule="leniency_republication_unchanged",
            params={"list": LeniencyKind(kind).label},
        )


def leniency_kind(item: PowerItem, kind: str) -> None:
    """The no-, reduced- and lighter-penalty lists apply to penalty items; the no-coercion list
    to items that allow a coercive measure (coercive items, and penalties that go with one)."""
    if kind not in LeniencyKind.values:
        raise RuleViolation(_("Unknown list: “%(kind)s”."), rule="leniency_kind", params={"kind": kind})
    if kind in PENALTY_LISTS and item.kind != PowerKind.PENALTY:
        raise RuleViolation(
            _("%(list)s applies to administrative penalties; this item is an %(kind)s."),
            rule="leniency_kind",
            params={"list": LeniencyKind(kind).label, "kind": PowerKind(item.kind).label},
        )
    if kind == LeniencyKind.NO_COERCION and item.kind == PowerKind.INSPECTION:
        raise RuleViolation(
            _("%(list)s does not apply to an administrative inspection."),
            rule="leniency_kind",
            params={"list": LeniencyKind(kind).label},
        )


def evaluation_period(start: datetime.date, end: datetime.date) -> None:
    """An evaluation looks back: a period that ends after today has no figures yet."""
    if start > end:
        raise RuleViolation(_("The period starts after it ends."), rule="evaluation_period")
    if end > local_today():
        raise RuleViolation(_("The period cannot end after today."), rule="evaluation_period")
