from .audit import AuditCheckpoint, AuditCheckpointHead, AuditLog
from .calendar import CalendarOverride
from .people import EnforcementCertificate, User
from .units import Unit

__all__ = [
    "AuditCheckpoint",
    "AuditCheckpointHead",
    "AuditLog",
    "CalendarOverride",
    "EnforcementCertificate",
    "Unit",
    "User",
]
