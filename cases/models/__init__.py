"""Models of the cases app, split by concern.

The 12345 hotline keeps its models in ``cases.hotline.models`` (same app label, same tables); they
are imported at the end so that Django registers them with the app, not re-exported: code outside
the hotline package asks ``cases.hotline.models`` for them.
"""

from .cases import Case, CaseOfficer
from .config import ProcedurePolicy
from .deadlines import Deadline, ExtensionRequest, ExtensionStep
from .events import CaseEvent
from .evidence import Attachment, Evidence, StoredFile
from .figures import Figure, FigureKind
from .leads import Lead
from .notifications import Notification
from .numbering import IssuedNumber, NumberPattern, NumberSequence
from .parties import Party
from .proposals import Proposal, ProposalLine
from .records import CorrectionOrder, InspectionRecord, InterviewRecord, InvestigationReport, Preservation
from .simple import OnSpotDecision, OnSpotPayment

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
    "Figure",
    "FigureKind",
    "InspectionRecord",
    "InterviewRecord",
    "InvestigationReport",
    "IssuedNumber",
    "Lead",
    "Notification",
    "NumberPattern",
    "NumberSequence",
    "OnSpotDecision",
    "OnSpotPayment",
    "Party",
    "Preservation",
    "ProcedurePolicy",
    "Proposal",
    "ProposalLine",
    "StoredFile",
]

# Registers the hotline's models with the cases app (see the module docstring).
from ..hotline import models as _hotline_models  # noqa: F401
