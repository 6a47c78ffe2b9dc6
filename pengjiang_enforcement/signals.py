"""Signal receivers of the shared kernel."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import workdays
from .lockout import BY_ADDRESS, BY_PAIR
from .models import CalendarOverride


@receiver(user_logged_in, dispatch_uid="core.login_times")
def record_login_times(sender, request, user, **kwargs) -> None:
    """Keep the previous sign-in before ``last_login`` becomes this one (replaces Django's
    ``update_last_login``, which would overwrite it first)."""
    user.previous_login = user.last_login
    user.last_login = timezone.now()
    user.save(update_fields=["previous_login", "last_login"])


@receiver(user_logged_in, dispatch_uid="core.audit_login")
def _audit_login(sender, request, user, **kwargs) -> None:
    from .services import user_record_login

    user_record_login(user=user, succeeded=True, ip=_client_ip(request))


@receiver(user_logged_out, dispatch_uid="core.audit_logout")
def _audit_logout(sender, request, user, **kwargs) -> None:
    from .audit import audit_record

    if user is not None:
        audit_record(action="core.user.logged_out", obj=user, actor=user)


@receiver(user_login_failed, dispatch_uid="core.audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from .models import User
    from .services import user_record_login

    user = User.objects.filter(username=credentials.get("username", "")).first()
    if user is not None:
        user_record_login(user=user, succeeded=False, ip=_client_ip(request))


@receiver(user_locked_out, dispatch_uid="core.audit_locked_out")
def _audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    from .models import User
    from .services import user_record_lockout

    # Axes sends this signal on the failure that reaches the limit, and again for every attempt
    # refused while the lock lasts; only the first carries the failure count. The refused
    # attempts are already audited as failed sign-ins, so the lock is recorded once.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    # What locked (the pair, the user name or the address) and its own count (see lockout.py).
    by = getattr(request, "lockout_by", BY_PAIR)
    failures = getattr(request, "lockout_failures", request.axes_failures_since_start)
    user = User.objects.filter(username=username or "").first()
    if user is None and by != BY_ADDRESS:
        return  # a user name nobody has: nothing to lock but the address
    user_record_lockout(user=user, ip=ip_address or "", failures=failures, minutes=settings.AXES_COOLOFF_MINUTES, by=by)


@receiver([post_save, post_delete], sender=CalendarOverride, dispatch_uid="core.calendar_cache")
def _calendar_changed(**kwargs) -> None:
    # Now, for the writer's own reads, and again after the commit: another thread reading between
    # the save and the commit would otherwise cache the old days for the cache's lifetime.
    # Until then this thread reads its own uncommitted days without sharing them: a rollback
    # sends no signal, and the days must not outlive it.
    workdays.clear_override_cache()
    workdays.note_uncommitted_change()
    transaction.on_commit(workdays.clear_override_cache)


def _client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")
