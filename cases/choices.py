"""Choices of the cases app: lead sources and states, the procedure's states, parties, evidence."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadSource(models.TextChoices):
    """Where a lead (案源) came from."""

    PATROL = "patrol", _("Found on patrol (巡查发现)")
    COMPLAINT = "complaint", _("Complaint or report (投诉举报)")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    DEPARTMENT_TRANSFER = "department_transfer", _("Transferred by a department (部门移送)")
    TOWNSHIP_TRANSFER = "township_transfer", _("Transferred by another township (镇街移送)")
    ASSIGNED_FROM_ABOVE = "assigned", _("Assigned by a higher authority (上级交办)")
    SUPERVISION_TRANSFER = "supervision_transfer", _("Transferred by supervision (监督移送)")
    MEDIA = "media", _("Media report (媒体反映)")


class LeadStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered, awaiting check")
    CHECKING = "checking", _("Under check")
    FILED = "filed", _("Turned into a case")
    NOT_FILED = "not_filed", _("Not filed")
    TRANSFERRED = "transferred", _("Transferred")
    CORRECTION_ONLY = "correction_only", _("Correction ordered, not filed")


LEAD_OPEN_STATUSES = (LeadStatus.REGISTERED, LeadStatus.CHECKING)


class Procedure(models.TextChoices):
    GENERAL = "general", _("General procedure (普通程序)")
    SIMPLE = "simple", _("Simple procedure, on the spot (简易程序)")


class CaseState(models.TextChoices):
    """Every state of the procedure (domain.md 1.8); ``cases.workflow`` says which follows which."""

    # filing and investigation
    FILING_PENDING = "filing_pending", _("Awaiting filing approval")
    FILING_RETURNED = "filing_returned", _("Filing returned for changes")
    WITHDRAWN = "withdrawn", _("Filing withdrawn")
    INVESTIGATING = "investigating", _("Filed, under investigation")
    INVESTIGATION_CLOSED = "investigation_closed", _("Investigation closed")
    # review, notice, hearing, decision
    INTERNAL_REVIEW = "internal_review", _("Case review")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    NOTICE_SERVED = "notice_served", _("Prior notice served")
    STATEMENT = "statement", _("Statement and defence")
    RECHECK = "recheck", _("Re-examination of the defence")
    HEARING_REQUESTED = "hearing_requested", _("Hearing requested")
    HEARING = "hearing", _("Hearing")
    COLLECTIVE_DISCUSSION = "collective_discussion", _("Collective discussion")
    DECIDED = "decided", _("Decided")
    # service, execution, closing
    SERVED = "served", _("Decision served")
    EXECUTING = "executing", _("Executing")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    # the simple procedure (当场处罚)
    ON_SPOT_DECIDED = "on_spot_decided", _("Decided on the spot")
    ON_SPOT_SERVED = "on_spot_served", _("On-the-spot decision served")
    FILED_FOR_RECORD = "filed_for_record", _("Filed for the record")


# States in which a case is being worked on (shown in queues by default, with deadline flags).
CASE_LIVE_STATES = (
    CaseState.FILING_PENDING,
    CaseState.FILING_RETURNED,
    CaseState.INVESTIGATING,
    CaseState.INVESTIGATION_CLOSED,
    CaseState.INTERNAL_REVIEW,
    CaseState.LEGAL_REVIEW,
    CaseState.NOTICE_SERVED,
    CaseState.STATEMENT,
    CaseState.RECHECK,
    CaseState.HEARING_REQUESTED,
    CaseState.HEARING,
    CaseState.COLLECTIVE_DISCUSSION,
    CaseState.DECIDED,
    CaseState.SERVED,
    CaseState.EXECUTING,
    CaseState.ON_SPOT_DECIDED,
    CaseState.ON_SPOT_SERVED,
)
# States in which the handling officers add parties, evidence and records.
CASE_EDITABLE_FILING_STATES = (CaseState.FILING_PENDING, CaseState.FILING_RETURNED)
# States in which the office head changes the handling officers (before approval they change
# with the filing itself).
CASE_OFFICERS_CHANGEABLE_STATES = tuple(s for s in CASE_LIVE_STATES if s not in CASE_EDITABLE_FILING_STATES)


class OfficerRole(models.TextChoices):
    LEAD = "lead", _("Lead officer (主办)")
    ASSISTING = "assisting", _("Assisting officer (协办)")


class PartyKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("party kind", "Person")
    ORGANISATION = "organisation", pgettext_lazy("party kind", "Organisation")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class EvidenceKind(models.TextChoices):
    """The kinds of evidence of APL Art. 46."""

    DOCUMENTARY = "documentary", _("Documentary evidence (书证)")
    PHYSICAL = "physical", _("Physical evidence (物证)")
    AUDIOVISUAL = "audiovisual", _("Audio-visual material (视听资料)")
    ELECTRONIC = "electronic", _("Electronic data (电子数据)")
    WITNESS = "witness", _("Witness testimony (证人证言)")
    PARTY_STATEMENT = "party_statement", _("Statement of the party (当事人的陈述)")
    EXPERT_OPINION = "expert_opinion", _("Expert opinion (鉴定意见)")
    INSPECTION_RECORD = "inspection_record", _("Inspection or on-site record (勘验笔录、现场笔录)")


class IntervieweeRole(models.TextChoices):
    PARTY = "party", _("Party")
    WITNESS = "witness", _("Witness")
    OTHER = "other", pgettext_lazy("interviewee", "Other")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the deadline")
    CORRECTED = "corrected", _("Corrected")
    PARTLY = "partly", _("Partly corrected")
    NOT_CORRECTED = "not_corrected", _("Not corrected")


class PreservationDecision(models.TextChoices):
    """What becomes of evidence preserved under APL Art. 56 (先行登记保存)."""

    RETURN = "return", _("Return to the party")
    SEIZE = "seize", _("Seal up or seize (查封、扣押)")
    CONFISCATE = "confiscate", _("Confiscate with the decision")
    TRANSFER = "transfer", _("Transfer to the competent body")
    TEST = "test", _("Send for testing or appraisal")


class ProposalOutcome(models.TextChoices):
    """What the investigation-end report proposes (APL Art. 57): a penalty, no penalty, the
    violation not established, or a transfer."""

    PENALTY = "penalty", _("Impose a penalty (给予行政处罚)")
    NO_PENALTY = "no_penalty", _("No penalty (不予行政处罚)")
    NOT_ESTABLISHED = "not_established", _("Violation not established (违法事实不能成立)")
    TRANSFER = "transfer", _("Transfer (移送)")


class NoPenaltyGround(models.TextChoices):
    """The grounds on which the law says a party is not penalised (APL Arts. 30, 31, 33)."""

    MINOR_CORRECTED = (
        "minor_corrected",
        _("Minor, corrected in time, no harm (轻微并及时改正, APL Art. 33(1), mandatory)"),
    )
    FIRST_VIOLATION = (
        "first_violation",
        _("First violation, slight harm, corrected in time (首违不罚, APL Art. 33(1), discretionary)"),
    )
    NO_FAULT = "no_fault", _("No subjective fault (无主观过错, APL Art. 33(2))")
    UNDER_14 = "under_14", _("Under fourteen (未满十四周岁, APL Art. 30)")
    MENTAL = "mental", _("Mental illness or intellectual disability (精神病人、智力残疾人, APL Art. 31)")


class TransferKind(models.TextChoices):
    CRIME = "crime", _("Suspected crime: to the judicial organs (涉嫌犯罪, APL Art. 27)")
    JURISDICTION = "jurisdiction", _("Another authority has jurisdiction (他机关管辖)")


class DeadlineKind(models.TextChoices):
    LEAD_CHECK = "lead_check", _("Preliminary check (核查)")
    DECISION = "decision", _("Decision, 90 days from filing (APL Art. 60)")
    PRESERVATION = "preservation", _("Decision on preserved evidence (APL Art. 56)")
    CORRECTION = "correction", _("Correction deadline (责令改正)")
    PAYMENT = "payment", _("Payment of the fine, 15 days from service (APL Art. 67)")
    CASH_HANDOVER = "cash_handover", _("Cash collected on the spot handed to the office (APL Art. 71)")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class DocumentType(models.TextChoices):
    """Document types that get a number of their own per township and year (domain.md 2.5)."""

    LEAD = "lead", _("Lead register (案源登记)")
    FILING = "filing", _("Case filing (立案)")
    CORRECTION = "correction", _("Order to correct (责令改正)")
    PRESERVATION = "preservation", _("Preservation of evidence (先行登记保存)")
    ON_SPOT = "on_spot", _("On-the-spot penalty decision (当场处罚决定书)")


class OnSpotPenalty(models.TextChoices):
    """The penalties of the simple procedure (APL Art. 51)."""

    WARNING = "warning", _("Warning (警告)")
    FINE = "fine", _("Fine (罚款)")


class Collection(models.TextChoices):
    """How an on-the-spot fine is paid: through the bank (罚缴分离, APL Art. 67) or collected on
    the spot (当场收缴, APL Art. 68)."""

    BANK = "bank", _("Paid at the bank within 15 days (罚缴分离)")
    ON_SPOT = "on_spot", _("Collected on the spot (当场收缴)")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash collected on the spot")
    BANK = "bank", _("Bank counter or transfer")
    ELECTRONIC = "electronic", _("Electronic payment")


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Deadline due soon")
    OVERDUE = "overdue", _("Deadline overdue")
    APPROVAL_NEEDED = "approval_needed", _("Waiting for your approval")
    FILING_APPROVED = "filing_approved", _("Filing approved")
    FILING_RETURNED = "filing_returned", _("Filing returned")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    LEAD_TRANSFERRED_IN = "lead_transferred_in", _("Lead transferred to your township")
    OFFICERS_CHANGED = "officers_changed", _("Handling officers changed")
