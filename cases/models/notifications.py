"""In-app notifications: deadlines due soon or overdue, approvals waiting, decisions taken."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.permissions import ScopedModel

from ..choices import NotificationKind


class Notification(ScopedModel):
    """A message to one user about a case or lead.

    Deadline notifications are unique per recipient, deadline, kind and due date, so the beat
    task can run any number of times a day and each person hears once that a deadline is near
    and once that it passed (again if an extension moves it and it comes near again).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    lead = models.ForeignKey(
        "cases.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    deadline = models.ForeignKey(
        "cases.Deadline", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "deadline", "kind", "due_on"],
                condition=Q(deadline__isnull=False),
                name="cases_notification_once_per_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="cases_notification_inbox_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="cases_notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind}"

    @classmethod
    def scope_q(cls, user, action):
        """Everyone sees, and marks read, only their own notifications."""
        return Q(recipient_id=user.pk)
