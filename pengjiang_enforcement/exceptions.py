"""Errors raised by services when a rule refuses an action."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A legal or business rule refused the action.

    ``rule`` names the rule (e.g. ``apl_42_two_certified_officers``) so tests and logs can tell
    which one fired; the message says, in the user's language, what stopped them and why.
    Being a ``ValidationError``, it can be attached to a form with ``form.add_error(None, exc)``.
    """

    def __init__(self, message, *, rule: str, params: dict | None = None):
        super().__init__(message, code=rule, params=params)
        self.rule = rule


class ConflictError(RuleViolation):
    """Someone else changed the record since the user loaded it (optimistic locking)."""

    def __init__(self, message, *, params: dict | None = None):
        super().__init__(message, rule="edit_conflict", params=params)
