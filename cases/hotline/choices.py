"""Choices of the 12345 hotline work orders: their states, types, jobs and requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pengjiang_enforcement.models.jobs import RUNNING_STATUSES, JobStatus


class OrderState(models.TextChoices):
    """Where a work order stands in the township (see ``cases.hotline.workflow``).

    An order without a township is in the triage queue, whatever its state (always "pending").
    """

    PENDING = "pending", _("Awaiting acceptance (待签收)")
    IN_PROGRESS = "in_progress", _("In progress (办理中)")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested (申请延期)")
    RETURN_REQUESTED = "return_requested", _("Return requested (申请退单)")
    RETURNED = "returned", _("Returned to the hotline (已退单)")
    REPLIED = "replied", _("Replied (已办结)")


# States in which the hotline still waits for the township's answer (the deadline runs).
OPEN_STATES = (
    OrderState.PENDING,
    OrderState.IN_PROGRESS,
    OrderState.EXTENSION_REQUESTED,
    OrderState.RETURN_REQUESTED,
)

# What each state is called in the hotline's own export (办件状态 of the reply file).
PLATFORM_STATUS = {
    OrderState.PENDING: "待签收",
    OrderState.IN_PROGRESS: "办理中",
    OrderState.EXTENSION_REQUESTED: "申请延期",
    OrderState.RETURN_REQUESTED: "申请退单",
    OrderState.RETURNED: "已退单",
    OrderState.REPLIED: "已办结",
}


class OrderType(models.TextChoices):
    """The kinds of request of 《广东省12345政务服务便民热线管理办法》, which set the deadline."""

    CONSULTATION = "consultation", _("Consultation (咨询)")
    HELP = "help", _("Request for help (求助)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    COMPLAINT = "complaint", _("Complaint (投诉)")
    REPORT = "report", _("Report (举报)")
    UNKNOWN = "", pgettext_lazy("order type", "Not stated")


class RouteMethod(models.TextChoices):
    """How an order found its township."""

    NONE = "none", _("Not placed (triage)")
    UNIT = "unit", _("By the handling unit")
    ADDRESS = "address", _("By the address (gazetteer)")
    MANUAL = "manual", _("Routed by hand")
    # A township's own import: an order the routing places nowhere stays with the importer.
    IMPORTER = "importer", _("Imported by the township")


class ImportKind(models.TextChoices):
    FILE = "file", _("Spreadsheet upload")
    FEED = "feed", _("Live feed")


# An import is a background job of the kernel; its statuses are the kernel's.
ImportStatus = JobStatus
IMPORT_RUNNING_STATUSES = RUNNING_STATUSES


class RawRowStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("Extension (延期)")
    RETURN = "return", _("Return to the hotline (退单)")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the office head")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ReplyKind(models.TextChoices):
    INTERIM = "interim", _("Interim reply (阶段性答复)")
    FINAL = "final", _("Final reply (办结答复)")


class PlaceKind(models.TextChoices):
    COMMUNITY = "community", _("Community (社区)")
    VILLAGE = "village", _("Village (村)")
    OTHER = "other", _("Other place (road, estate, landmark)")
