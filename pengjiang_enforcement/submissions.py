"""Sending a form twice does its work once.

A double click, a slow connection retried, the browser's "send again" after a reload: each sends
the same form a second time, and without care the portal files four identical leads with four
official numbers, or tells an officer that his own second click was "a conflicting change".

Every form of the portal carries a token: the ``{% csrf_token %}`` tag, which every POST form
already has, renders a second hidden input, ``submission``, with a fresh UUID each time a form is
rendered. :class:`SubmitOnceMiddleware` then handles each signed-in
POST that carries a token as one unit:

1. it records the token in the view's transaction (``Submission``, primary key: the token); a
   second request with the same token waits on that key until the first one ends;
2. the view runs;
3. a redirect (the form did its work, post/redirect/get) is remembered with the token; any other
   answer (the form shown back with its errors, under a new token) forgets the token;
4. a repeat of a remembered token, by the same person to the same address, is sent where the
   first answer led, with a note that the form had been sent already: the first result, not a
   second one and not a conflict. A token used by someone else, or for another address, is refused.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Submission

FIELD = "submission"
REDIRECTS = (301, 302, 303, 307, 308)


def posted_token(request: HttpRequest) -> uuid.UUID | None:
    """The submission token a POST carries, if it carries a well-formed one."""
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except (ValueError, AttributeError):
        return None


def token_for(request: HttpRequest | None = None) -> str:
    """A fresh token for a form being rendered. A form shown back with its errors gets a new one
    too: the page's other forms (the language switch, sign-out) render their own tokens, and
    reusing the posted one there would tie it to another address."""
    return uuid.uuid4().hex


class SubmitOnceMiddleware:
    """See the module. Last in ``MIDDLEWARE``, so the CSRF check and the others' ``process_view``
    run first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        token = posted_token(request)
        user = getattr(request, "user", None)
        if token is None or user is None or not user.is_authenticated:
            return None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Submission.objects.create(token=token, user=user, path=request.path[:500])
            except IntegrityError:
                return _repeat(request, token)
            response = view(request, *args, **kwargs)
            if response.status_code in REDIRECTS and response.get("Location"):
                Submission.objects.filter(token=token).update(location=response["Location"][:2000])
            else:
                Submission.objects.filter(token=token).delete()
        return response


def _repeat(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    earlier = Submission.objects.filter(token=token).first()
    if earlier is None or earlier.user_id != request.user.pk or earlier.path != request.path[:500]:
        return HttpResponseBadRequest(_("This form was already used. Reload the page and send it again."))
    messages.info(request, _("This form had been sent already; this is what it did."))
    return HttpResponseRedirect(earlier.location)


def forget_submissions(now: datetime.datetime | None = None) -> int:
    """Delete the submissions older than ``SUBMISSION_KEEP_HOURS`` (beat, hourly)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.SUBMISSION_KEEP_HOURS)
    deleted, _rows = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
