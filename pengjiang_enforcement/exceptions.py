"""Errors raised by services when a rule refuses an action."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A legal or business rule refused the action.

    ``rule`` names the rule (e.g. ``apl_42_two_certified_officers``) so tests and logs can tell
    which one fired; the message says, in the user's language, what stopped them and why.
    Being a ``ValidationError``, it can be attached to a form with ``form.add_error(None, exc)``;
    ``field`` names the input it is about, where there is one (``forms.add_violation`` puts the
    message beside that field).
    """

    def __init__(self, message, *, rule: str, params: dict | None = None, field: str | None = None):
        super().__init__(message, code=rule, params=params)
        self.rule = rule
        self.field = field


class RuleViolations(RuleViolation):
    """Several rules refused the same input at once: ``violations`` holds each of them (the first
    one's code is the group's ``rule``), so a form shows every problem together."""

    def __init__(self, violations: list[RuleViolation]):
        ValidationError.__init__(self, list(violations))
        self.violations = list(violations)
        self.rule = self.violations[0].rule
        self.field = None


def check_all(*checks: tuple[str | None, Callable[[], object]]) -> None:
    """Run validation-only rule checks, each as (the field it is about, the check), and raise every
    violation together (one alone as itself): a person corrects a form once, not once per rule.

    Only checks that change nothing belong here; a check that depends on another passing goes
    inside the same callable, after it.
    """
    violations: list[RuleViolation] = []
    for field, check in checks:
        try:
            check()
        except RuleViolations as exc:
            violations += exc.violations
        except RuleViolation as exc:
            if exc.field is None:
                exc.field = field
            violations.append(exc)
    if len(violations) == 1:
        raise violations[0]
    if violations:
        raise RuleViolations(violations)


class ConflictError(RuleViolation):
    """Someone else changed the record since the user loaded it (optimistic locking)."""

    def __init__(self, message, *, params: dict | None = None):
        super().__init__(message, rule="edit_conflict", params=params)
