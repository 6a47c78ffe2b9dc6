"""Template helpers of the catalogue pages: status badges and labels, so templates never compare
status strings."""

from __future__ import annotations

from django import template

from ..choices import AdjustmentStatus, ItemStatus

register = template.Library()

_ADJUSTMENT_CLASSES = {
    AdjustmentStatus.APPLIED: "badge-soft-success",
    AdjustmentStatus.FAILED: "badge-soft-danger",
    AdjustmentStatus.REJECTED: "badge-soft-secondary",
    AdjustmentStatus.WITHDRAWN: "badge-soft-secondary",
    AdjustmentStatus.APPROVED: "text-bg-primary",
}


@register.filter
def adjustment_status_class(status: str) -> str:
    return _ADJUSTMENT_CLASSES.get(status, "badge-soft-warning")


@register.filter
def adjustment_status_label(status: str) -> str:
    try:
        return str(AdjustmentStatus(status).label)
    except ValueError:
        return status


@register.filter
def item_status_class(status: str) -> str:
    return "badge-soft-success" if status == ItemStatus.IN_FORCE else "badge-soft-danger"
