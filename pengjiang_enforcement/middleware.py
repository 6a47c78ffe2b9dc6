"""Request ids (one per request, carried into logs and audit rows) and the caching of private pages."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("request", default=None)
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    """The id of the request (or task) being handled, if any."""
    return _request_id.get()


def current_user():
    """The signed-in user of the request being handled, if any (for code without ``request``)."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIDMiddleware:
    """Give every request an id (a proxy's ``X-Request-ID`` when it looks sane)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # read by the error pages
        token = set_request_id(request_id)
        request_token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(request_token)
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIDLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every page of a signed-in user and on every download:
    a shared computer's browser cache or a proxy must not keep case files, parties or exports.
    Public pages seen anonymously (the catalogue, published decisions) stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or response.has_header("Content-Disposition"):
            response["Cache-Control"] = "no-store, private"
        return response
