"""What each step of a lead or case is called: one label per action code, for the timeline (the
rows are ``cases.models.CaseEvent``, whose kind is the code without ``cases.``) and the audit page.

The 12345 hotline registers its own in ``cases.hotline.actions``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement import actions

actions.register(
    {
        # leads
        "cases.lead.registered": _("Lead registered"),
        "cases.lead.updated": _("Lead edited"),
        "cases.lead.check_started": _("Check started"),
        "cases.lead.filing_proposed": _("Proposed for filing"),
        "cases.lead.not_filed": _("Not filed"),
        "cases.lead.transferred": _("Transferred"),
        "cases.lead.transferred_in": _("Received by transfer"),
        "cases.lead.correction_ordered": _("Correction ordered, not filed"),
        "cases.lead.reopened": _("Check reopened"),
        "cases.lead.file_attached": _("File attached"),
        # filing and the case itself
        "cases.case.filing_requested": _("Filing requested"),
        "cases.case.filing_returned": _("Filing returned for changes"),
        "cases.case.filing_resubmitted": _("Filing submitted again"),
        "cases.case.filing_withdrawn": _("Filing withdrawn"),
        "cases.case.filed": _("Filing approved, case filed"),
        "cases.case.updated": _("Case edited"),
        "cases.case.officers_changed": _("Handling officers changed"),
        "cases.case.viewed": _("Case opened"),
        "cases.case.exported": _("Case list exported"),
        # investigation
        "cases.case.investigation_closed": _("Investigation closed"),
        "cases.case.investigation_reopened": _("Investigation reopened"),
        "cases.party.added": _("Party added"),
        "cases.party.updated": _("Party edited"),
        "cases.party.removed": _("Party removed"),
        "cases.evidence.added": _("Evidence added"),
        "cases.evidence.file_attached": _("File attached to evidence"),
        "cases.attachment.downloaded": _("File downloaded"),
        "cases.inspection.recorded": _("On-site inspection recorded"),
        "cases.interview.recorded": _("Interview recorded"),
        "cases.correction.issued": _("Order to correct issued"),
        "cases.correction.reinspected": _("Correction re-inspected"),
        "cases.preservation.registered": _("Evidence preserved"),
        "cases.preservation.decided": _("Decision on preserved evidence"),
        # the simple procedure and the archive
        "cases.case.decided_on_spot": _("Decided on the spot"),
        "cases.case.served_on_spot": _("On-the-spot decision handed over"),
        "cases.case.paid_on_spot": _("Payment recorded"),
        "cases.case.cash_handed_over": _("Cash handed to the office"),
        "cases.case.filed_for_record": _("Filed for the record"),
        "cases.case.archived": _("Archived"),
        # deadlines
        "cases.extension.requested": _("Extension requested"),
        "cases.extension.approved": _("Extension approved"),
        "cases.extension.refused": _("Extension refused"),
        # reference data the law leaves open (saved in the admin)
        "cases.numberpattern.created": _("Number pattern created"),
        "cases.numberpattern.changed": _("Number pattern changed"),
        "cases.extensionstep.created": _("Extension step created"),
        "cases.extensionstep.changed": _("Extension step changed"),
        "cases.procedurepolicy.created": _("Procedure policy created"),
        "cases.procedurepolicy.changed": _("Procedure policy changed"),
    }
)
