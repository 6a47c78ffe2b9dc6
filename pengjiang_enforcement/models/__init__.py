from .audit import AuditCheckpoint, AuditCheckpointHead, AuditLog
from .calendar import CalendarOverride
from .jobs import BackgroundJob, JobStatus
from .people import EnforcementCertificate, User
from .submissions import Submission
from .timeline import TimelineEvent
from .units import Unit

__all__ = [
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
