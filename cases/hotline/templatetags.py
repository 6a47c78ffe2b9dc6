"""Template helpers of the 12345 hotline pages: state and import badges (an event's label is
``event.label``, from the action registry)."""

from __future__ import annotations

from django import template

from .choices import OrderState, OrderType
from .workflow import ORDERS

register = template.Library()

_STATE_CLASSES = {
    OrderState.PENDING: "badge-soft-warning",
    OrderState.IN_PROGRESS: "text-bg-primary",
    OrderState.EXTENSION_REQUESTED: "badge-soft-warning",
    OrderState.RETURN_REQUESTED: "badge-soft-warning",
    OrderState.RETURNED: "badge-soft-secondary",
    OrderState.REPLIED: "badge-soft-success",
}


@register.filter
def order_state_class(state: str) -> str:
    return _STATE_CLASSES.get(state, "text-bg-light border")


@register.filter
def order_state_label(state: str) -> str:
    return ORDERS.state_label(state) if state else ""


@register.filter
def order_type_label(value: str) -> str:
    try:
        return str(OrderType(value).label)
    except ValueError:
        return value


@register.filter
def percent(value: int | None) -> int:
    return max(0, min(100, int(value or 0)))
