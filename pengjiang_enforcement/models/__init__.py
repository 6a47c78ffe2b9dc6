from .audit import AuditCheckpoint, AuditCheckpointHead, AuditLog
from .calendar import CalendarOverride
from .people import EnforcementCertificate, User
from .timeline import TimelineEvent
from .units import Unit

__all__ = [
    "AuditCheckpoint",
    "AuditCheckpointHead",
    "AuditLog",
    "CalendarOverride",
    "EnforcementCertificate",
    "TimelineEvent",
    "Unit",
    "User",
]
