"""What each step of the catalogue is called, for the audit page (and any timeline of it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement import actions

actions.register(
    {
        "powers.item.created": _("Catalogue item created"),
        "powers.item.changed": _("Catalogue item changed"),
        "powers.item.recalled": _("Catalogue item recalled"),
        "powers.item.redelegated": _("Catalogue item delegated again"),
        "powers.discretion.published": _("Discretion standard published"),
        "powers.leniency.added": _("Leniency list entry added"),
        "powers.leniency.ended": _("Leniency list entry ended"),
        "powers.adjustment.proposed": _("Adjustment proposed"),
        "powers.adjustment.reviewed": _("Adjustment reviewed"),
        "powers.adjustment.approved": _("Adjustment approved"),
        "powers.adjustment.rejected": _("Adjustment rejected"),
        "powers.adjustment.withdrawn": _("Adjustment withdrawn"),
        "powers.adjustment.retried": _("Adjustment approved again"),
        "powers.adjustment.opinion": _("Department opinion on an adjustment given"),
        "powers.adjustment.document_downloaded": _("Approving document downloaded"),
        "powers.adjustment.applied": _("Adjustment applied"),
        "powers.adjustment.failed": _("Adjustment could not be applied"),
        "powers.evaluation.recorded": _("Evaluation recorded"),
        "powers.import.uploaded": _("Catalogue file uploaded"),
        "powers.import.confirmed": _("Catalogue import confirmed"),
        "powers.import.cancelled": _("Catalogue import cancelled"),
        "powers.import.applied": _("Catalogue import applied"),
        "powers.import.failed": _("Catalogue import failed"),
        "powers.import.resumed": _("Catalogue import resumed"),
    }
)
