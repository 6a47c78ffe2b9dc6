"""What each kind of timeline event is called (the rows are ``cases.models.CaseEvent``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "lead.registered": _("Lead registered"),
    "lead.updated": _("Lead edited"),
    "lead.check_started": _("Check started"),
    "lead.filing_proposed": _("Proposed for filing"),
    "lead.not_filed": _("Not filed"),
    "lead.transferred": _("Transferred"),
    "lead.transferred_in": _("Received by transfer"),
    "lead.correction_ordered": _("Correction ordered, not filed"),
    "lead.reopened": _("Check reopened"),
    "lead.file_attached": _("File attached"),
    "case.filing_requested": _("Filing requested"),
    "case.filing_returned": _("Filing returned for changes"),
    "case.filing_resubmitted": _("Filing submitted again"),
    "case.filing_withdrawn": _("Filing withdrawn"),
    "case.filed": _("Filing approved, case filed"),
    "case.updated": _("Case edited"),
    "case.officers_changed": _("Handling officers changed"),
    "case.investigation_closed": _("Investigation closed"),
    "case.investigation_reopened": _("Investigation reopened"),
    "party.added": _("Party added"),
    "party.updated": _("Party edited"),
    "party.removed": _("Party removed"),
    "evidence.added": _("Evidence added"),
    "evidence.file_attached": _("File attached to evidence"),
    "inspection.recorded": _("On-site inspection recorded"),
    "interview.recorded": _("Interview recorded"),
    "correction.issued": _("Order to correct issued"),
    "correction.reinspected": _("Correction re-inspected"),
    "preservation.registered": _("Evidence preserved"),
    "preservation.decided": _("Decision on preserved evidence"),
    "extension.requested": _("Extension requested"),
    "extension.approved": _("Extension approved"),
    "extension.refused": _("Extension refused"),
}


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))
