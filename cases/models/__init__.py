"""Models of the cases app, split by concern."""

from .cases import Case, CaseOfficer
from .config import ProcedurePolicy
from .deadlines import Deadline, ExtensionRequest, ExtensionStep
from .events import CaseEvent
from .evidence import Attachment, Evidence, StoredFile
from .hotline import (
    GazetteerEntry,
    HotlineEvent,
    HotlineImport,
    HotlineOrder,
    HotlineRawRow,
    HotlineReply,
    HotlineRequest,
    HotlineSource,
)
from .leads import Lead
from .notifications import Notification
from .numbering import IssuedNumber, NumberPattern, NumberSequence
from .parties import Party
from .records import CorrectionOrder, InspectionRecord, InterviewRecord, InvestigationReport, Preservation

__all__ = [
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseOfficer",
    "CorrectionOrder",
    "Deadline",
    "Evidence",
    "ExtensionRequest",
    "ExtensionStep",
    "GazetteerEntry",
    "HotlineEvent",
    "HotlineImport",
    "HotlineOrder",
    "HotlineRawRow",
    "HotlineReply",
    "HotlineRequest",
    "HotlineSource",
    "InspectionRecord",
    "InterviewRecord",
    "InvestigationReport",
    "IssuedNumber",
    "Lead",
    "Notification",
    "NumberPattern",
    "NumberSequence",
    "Party",
    "Preservation",
    "ProcedurePolicy",
    "StoredFile",
]
