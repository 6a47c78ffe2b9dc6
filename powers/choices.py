"""Choices of the delegated-powers catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pengjiang_enforcement.models.jobs import JobStatus


class PowerKind(models.TextChoices):
    PENALTY = "penalty", _("Administrative penalty")
    INSPECTION = "inspection", _("Administrative inspection")
    COERCIVE = "coercive", _("Administrative coercive measure")


class DelegationMode(models.TextChoices):
    GRANT = "grant", _("Granted (赋权)")
    ENTRUST = "entrust", _("Entrusted (委托)")


class ItemStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    RECALLED = "recalled", _("Recalled")


class TownshipCoverage(models.TextChoices):
    """Which townships an item goes to (some items go to towns and not to streets)."""

    ALL = "all", _("All townships and streets")
    TOWNS = "towns", _("Towns only")
    STREETS = "streets", _("Streets only")
    LISTED = "listed", _("Listed townships")


class PenaltyType(models.TextChoices):
    """APL Art. 9 (administrative detention is never imposed by a township)."""

    WARNING = "warning", _("Warning")
    CRITICISM = "criticism", _("Circulated criticism")
    FINE = "fine", _("Fine")
    CONFISCATE_GAINS = "confiscate_gains", _("Confiscation of illegal gains")
    CONFISCATE_PROPERTY = "confiscate_property", _("Confiscation of illegal property")
    SUSPEND_LICENCE = "suspend_licence", _("Temporary seizure of a licence")
    DOWNGRADE = "downgrade", _("Downgrading a qualification")
    REVOKE_LICENCE = "revoke_licence", _("Revocation of a licence")
    RESTRICT_BUSINESS = "restrict_business", _("Restriction of business activities")
    SUSPEND_BUSINESS = "suspend_business", _("Order to suspend production or business")
    CLOSE = "close", _("Order to close")
    RESTRICT_PRACTICE = "restrict_practice", _("Restriction of practice")
    OTHER = "other", pgettext_lazy("penalty type", "Other")


class LeniencyKind(models.TextChoices):
    """Entries of the reduced- and no-penalty lists (减免责清单)."""

    NO_PENALTY = "no_penalty", _("No penalty (不予处罚)")
    MITIGATED = "mitigated", _("Mitigated penalty (减轻处罚)")
    LIGHTER = "lighter", _("Lighter penalty (从轻处罚)")
    NO_COERCION = "no_coercion", _("No coercive measure (免予行政强制)")


class DiscretionLevel(models.TextChoices):
    MINOR = "minor", _("Minor (轻微)")
    GENERAL = "general", _("General (一般)")
    SERIOUS = "serious", _("Serious (较重)")
    GRAVE = "grave", _("Grave (严重)")


class AdjustmentKind(models.TextChoices):
    ADD = "add", _("Add an item")
    CHANGE = "change", _("Change an item")
    RECALL = "recall", _("Recall")
    REDELEGATE = "redelegate", _("Re-delegate")


class AdjustmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved, waiting for its date")
    APPLIED = "applied", _("In effect")
    FAILED = "failed", _("Could not be applied")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EvaluationDecision(models.TextChoices):
    KEEP = "keep", _("Keep")
    ADJUST = "adjust", _("Adjust")
    RECALL = "recall", _("Recall")


class UsageKind(models.TextChoices):
    """What a case did with an item, recorded by the cases app for the dynamic evaluation."""

    USED = "used", _("Case filed")
    CLOSED = "closed", _("Case closed")
    OVERDUE = "overdue", _("Decided late")
    OVERTURNED = "overturned", _("Overturned on review or appeal")


# A catalogue import is a background job of the kernel; its statuses are the kernel's.
ImportStatus = JobStatus
