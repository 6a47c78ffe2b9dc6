"""Writes of the cases app, split by concern; each public service is importable from here.

Every service is keyword-only, runs in one transaction, locks what it changes, checks the rules
(``cases.rules``) and the transition table (``cases.workflow``), and writes a timeline event and
an audit row.
"""

from .deadlines import extension_decide, extension_request
from .evidence import blob_store, check_upload, evidence_add, evidence_attach_file, lead_attach_file
from .exports import attachment_open, case_list_export
from .filing import (
    case_approve_filing,
    case_change_officers,
    case_reopen_investigation,
    case_request_filing,
    case_resubmit_filing,
    case_return_filing,
    case_update,
    case_withdraw_filing,
)
from .leads import (
    lead_conclude_not_filed,
    lead_order_correction,
    lead_register,
    lead_start_check,
    lead_transfer,
    lead_update,
)
from .notifications import deadline_notify, notification_mark_read
from .numbering import number_allocate
from .parties import party_add, party_remove, party_update
from .proposals import PenaltyLineDraft, ProposalDraft, applicable_standards, proposal_check, proposal_make
from .records import (
    case_close_investigation,
    correction_order_issue,
    correction_reinspect,
    inspection_record_add,
    interview_record_add,
    preservation_decide,
    preservation_register,
)
from .simple import (
    case_archive,
    case_decide_on_spot,
    case_execute_on_spot,
    case_file_for_record,
    case_hand_over_cash,
    case_serve_on_spot,
)
from .views_log import case_record_view

__all__ = [
    "PenaltyLineDraft",
    "ProposalDraft",
    "applicable_standards",
    "attachment_open",
    "blob_store",
    "case_approve_filing",
    "case_archive",
    "case_change_officers",
    "case_close_investigation",
    "case_decide_on_spot",
    "case_execute_on_spot",
    "case_file_for_record",
    "case_hand_over_cash",
    "case_list_export",
    "case_record_view",
    "case_reopen_investigation",
    "case_request_filing",
    "case_resubmit_filing",
    "case_return_filing",
    "case_serve_on_spot",
    "case_update",
    "case_withdraw_filing",
    "check_upload",
    "correction_order_issue",
    "correction_reinspect",
    "deadline_notify",
    "evidence_add",
    "evidence_attach_file",
    "extension_decide",
    "extension_request",
    "inspection_record_add",
    "interview_record_add",
    "lead_attach_file",
    "lead_conclude_not_filed",
    "lead_order_correction",
    "lead_register",
    "lead_start_check",
    "lead_transfer",
    "lead_update",
    "notification_mark_read",
    "number_allocate",
    "party_add",
    "party_remove",
    "party_update",
    "preservation_decide",
    "preservation_register",
    "proposal_check",
    "proposal_make",
]
