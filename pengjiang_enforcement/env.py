"""Small typed readers for configuration taken from environment variables.

Every variable the portal reads is listed in the README's configuration table. Readers raise
``ImproperlyConfigured`` with the variable's name when a value cannot be understood, so a typo
in a deployment stops the process at start instead of surfacing later as odd behaviour.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable as text, or ``default`` when it is unset or blank."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return the variable as a comma-separated list of non-empty items."""
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    """Return the variable as a decimal number."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from exc


def _split_addresses(value: str) -> list[str]:
    """Split on the commas that are outside double quotes and angle brackets."""
    items: list[str] = []
    current: list[str] = []
    quoted = bracketed = False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif char == "<" and not quoted:
            bracketed = True
        elif char == ">" and not quoted:
            bracketed = False
        elif char == "," and not quoted and not bracketed:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def env_addresses(name: str) -> list[tuple[str, str]]:
    """Return the variable as e-mail (name, address) pairs, the shape of Django's ``ADMINS``.

    Accepts ``Chen Li <chen@example.gov.cn>, ops@example.gov.cn``: names are optional (a bare
    address stands for its own name) and a name holding a comma is written in double quotes.
    Every address is validated, so a mistyped one stops the start instead of losing error mail.
    """
    from email.utils import getaddresses

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    value = env_str(name)
    if value is None:
        return []
    pairs: list[tuple[str, str]] = []
    for item in _split_addresses(value):
        parsed = getaddresses([item])
        display, address = parsed[0] if len(parsed) == 1 else ("", "")
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an e-mail address; write a comma-separated list of "
                "addresses, each optionally as 'Name <address>'"
            ) from exc
        pairs.append((display.strip() or address, address))
    return pairs
