from .audit import AuditChainHead, AuditCheckpoint, AuditCheckpointHead, AuditLog
from .calendar import CalendarOverride
from .jobs import BackgroundJob, JobStatus
from .people import EnforcementCertificate, User
from .submissions import Submission
from .timeline import TimelineEvent
from .units import Unit

__all__ = [
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditCheckpointHead",
    "AuditLog",
    "BackgroundJob",
    "CalendarOverride",
    "EnforcementCertificate",
    "JobStatus",
    "Submission",
    "TimelineEvent",
    "Unit",
    "User",
]
