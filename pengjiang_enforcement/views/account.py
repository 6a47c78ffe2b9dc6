"""Password change through the audited service, and the page a locked-out sign-in gets."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from ..lockout import BY_ADDRESS, BY_PAIR, BY_USERNAME
from ..services import user_change_password


@sensitive_post_parameters()
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_change_password(user=request.user, actor=request.user, new_password=form.cleaned_data["new_password1"])
        request.user.refresh_from_db()
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("home")
    return render(request, "registration/password_change_form.html", {"form": form})


def lockout_minutes_left(request: HttpRequest, username: str | None) -> int:
    """Whole minutes until the lock of this user name + address ends (at least 1).

    Or of the user name or the address alone, when that is what is locked (see ``lockout``).

    The lock runs from the failure that set it (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``
    is off), so the count falls while the person waits instead of repeating the full period.
    """
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    address = getattr(request, "axes_ip_address", None)
    by = getattr(request, "lockout_by", BY_PAIR)
    if by == BY_USERNAME:
        attempts = AccessAttempt.objects.filter(username=username)
    elif by == BY_ADDRESS:
        attempts = AccessAttempt.objects.filter(ip_address=address)
    else:
        attempts = AccessAttempt.objects.filter(username=username, ip_address=address)
    last = attempts.aggregate(last=Max("attempt_time"))["last"]
    ends = (last or timezone.now()) + cool_off
    return max(1, math.ceil((ends - timezone.now()).total_seconds() / 60))


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page saying the account is locked and for how long (django-axes' lockout callable).

    Answered with 429 Too Many Requests, in the portal's own layout, so a person sees in
    Chinese what happened and when to try again instead of axes' bare one-line page.
    """
    username = get_client_username(request, credentials)
    form = AuthenticationForm(request, initial={"username": username or ""})
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "lockout_minutes": lockout_minutes_left(request, username),
    }
    return render(request, "registration/login.html", context, status=429)
