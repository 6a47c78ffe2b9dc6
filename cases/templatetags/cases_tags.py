"""Template helpers of the cases app: state badges, deadline flags, timeline and notice texts."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..choices import CaseState, DeadlineKind, LeadStatus, NotificationKind
from ..workflow import CASES, LEADS

register = template.Library()

_STATE_CLASSES = {
    CaseState.FILING_PENDING: "badge-soft-warning",
    CaseState.FILING_RETURNED: "badge-soft-danger",
    CaseState.WITHDRAWN: "badge-soft-secondary",
    CaseState.INVESTIGATING: "text-bg-primary",
    CaseState.INVESTIGATION_CLOSED: "badge-soft-success",
    CaseState.CLOSED: "badge-soft-secondary",
    CaseState.ARCHIVED: "badge-soft-secondary",
}
_LEAD_CLASSES = {
    LeadStatus.REGISTERED: "badge-soft-warning",
    LeadStatus.CHECKING: "text-bg-primary",
    LeadStatus.FILED: "badge-soft-success",
}


@register.filter
def state_class(state: str) -> str:
    return _STATE_CLASSES.get(state, "text-bg-light border")


@register.filter
def lead_status_class(status: str) -> str:
    return _LEAD_CLASSES.get(status, "badge-soft-secondary")


@register.filter
def case_state_label(state: str) -> str:
    return CASES.state_label(state) if state else ""


@register.filter
def lead_state_label(state: str) -> str:
    return LEADS.state_label(state) if state else ""


# The badges are tags rather than included templates: a queue shows two on each of its rows, and
# an include costs a template render of its own each time.
@register.simple_tag
def state_badge(state: str) -> SafeString:
    """A case's state as a badge."""
    return format_html(
        '<span class="badge {}" data-state="{}">{}</span>', state_class(state), state, case_state_label(state)
    )


@register.simple_tag
def flag_badge(flag) -> SafeString | str:
    """A deadline flag (``selectors.Flag``) as a badge: overdue, due soon, or the days left."""
    code = getattr(flag, "code", None)
    days = getattr(flag, "days", None)
    if code == "overdue":
        text = ngettext("Overdue %(days)s day", "Overdue %(days)s days", days) % {"days": days}
        return format_html(
            '<span class="badge badge-soft-danger" data-flag="overdue">'
            '<i class="bi bi-exclamation-octagon me-1"></i>{}</span>',
            text,
        )
    if code == "due_soon":
        if days == 0:
            text = _("Due today")
        else:
            text = ngettext("Due in %(days)s day", "Due in %(days)s days", days) % {"days": days}
        return format_html(
            '<span class="badge badge-soft-warning" data-flag="due_soon">'
            '<i class="bi bi-hourglass-split me-1"></i>{}</span>',
            text,
        )
    if code == "ok":
        text = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
        return format_html('<span class="badge badge-soft-success" data-flag="ok">{}</span>', text)
    return ""


@register.simple_tag
def event_state_label(event) -> str:
    table = LEADS if event.lead_id else CASES
    return table.state_label(event.to_state) if event.to_state else ""


@register.filter
def notification_text(notification) -> str:
    """What a notification says, in the reader's language."""
    params = notification.params or {}
    if notification.case_id:
        subject = notification.case.number or notification.case.title
    elif notification.lead_id:
        subject = notification.lead.reference
    else:
        subject = ""
    kind = notification.kind
    deadline = ""
    if params.get("deadline"):
        try:
            deadline = str(DeadlineKind(params["deadline"]).label)
        except ValueError:
            deadline = params["deadline"]
    day = notification.due_on.isoformat() if notification.due_on else ""
    if kind == NotificationKind.DUE_SOON:
        return _("%(deadline)s of %(subject)s is due on %(day)s.") % {
            "deadline": deadline,
            "subject": subject,
            "day": day,
        }
    if kind == NotificationKind.OVERDUE:
        return _("%(deadline)s of %(subject)s was due on %(day)s and is overdue.") % {
            "deadline": deadline,
            "subject": subject,
            "day": day,
        }
    if kind == NotificationKind.APPROVAL_NEEDED:
        what = params.get("what")
        if what == "extension":
            return _("An extension of %(subject)s waits for your approval.") % {"subject": subject}
        if what == "preservation":
            return _("Evidence of %(subject)s was preserved (%(number)s) with your approval.") % {
                "subject": subject,
                "number": params.get("number", ""),
            }
        return _("The filing of %(subject)s waits for your approval.") % {"subject": subject}
    if kind == NotificationKind.FILING_APPROVED:
        return _("The filing was approved: %(subject)s.") % {"subject": subject}
    if kind == NotificationKind.FILING_RETURNED:
        return _("The filing of %(subject)s was returned: %(reason)s") % {
            "subject": subject,
            "reason": params.get("reason", ""),
        }
    if kind == NotificationKind.EXTENSION_DECIDED:
        if params.get("approved"):
            return _("The extension of %(subject)s was approved.") % {"subject": subject}
        return _("The extension of %(subject)s was refused.") % {"subject": subject}
    if kind == NotificationKind.LEAD_TRANSFERRED_IN:
        return _("Lead %(subject)s was transferred to your township.") % {"subject": subject}
    if kind == NotificationKind.OFFICERS_CHANGED:
        if params.get("joined"):
            return _("You are now a handling officer of %(subject)s.") % {"subject": subject}
        return _("You are no longer a handling officer of %(subject)s.") % {"subject": subject}
    return subject


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
