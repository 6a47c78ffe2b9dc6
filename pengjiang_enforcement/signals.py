"""Signal receivers of the shared kernel."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import workdays
from .models import CalendarOverride


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


@receiver([post_save, post_delete], sender=CalendarOverride, dispatch_uid="core.calendar_cache")
def _calendar_changed(**kwargs) -> None:
    # Now, for the writer's own reads, and again after the commit: another thread reading between
    # the save and the commit would otherwise cache the old days for the cache's lifetime.
    workdays.clear_override_cache()
    transaction.on_commit(workdays.clear_override_cache)


def _client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")
