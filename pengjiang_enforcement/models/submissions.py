"""Form submissions already handled, so that sending a form twice does its work once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """One sending of a form (its token, see :mod:`pengjiang_enforcement.submissions`) and where
    its successful answer led; a repeat of the same token is sent there instead of doing the
    work again. Rows are forgotten after ``SUBMISSION_KEEP_HOURS``."""

    token = models.UUIDField(_("token"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(_("path"), max_length=500)
    location = models.CharField(_("answered with"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.path} {self.token}"
