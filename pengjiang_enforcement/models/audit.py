"""The append-only audit trail.

Each row records who did what to which object, with before/after snapshots and the request id.
Rows are chained per object (``chain_key``): a row's ``hash`` is an HMAC of its content and
of the previous row of the same chain, so editing, forging or removing a row breaks the chain
at a place ``manage.py verify_audit`` can name. Chaining per object instead of globally means
writes to different objects never wait on each other (see ``pengjiang_enforcement.audit``).

The database itself refuses UPDATE and DELETE on these tables (triggers created by migration
0002). Every write also moves its chain's head (:class:`AuditChainHead`, sealed with an HMAC) in
the same transaction, so removing the newest row of a chain is found at once; periodic
checkpoints seal the heads of every chain again, so removing whole chains with their heads is
found too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import actions
from ..permissions import RestrictedQuerySet


class AuditLog(models.Model):
    """One audited action: ``cases.case.filed``, ``core.user.created``, ..."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("object type"), null=True, blank=True, on_delete=models.PROTECT
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    chain_key = models.CharField(_("chain"), max_length=100)
    chain_seq = models.PositiveBigIntegerField(_("position in chain"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain_key", "chain_seq"], name="core_auditlog_chain_position_unique"),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-id"], name="core_auditlog_object_idx"),
            models.Index(fields=["actor", "-id"], name="core_auditlog_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"

    @property
    def label(self) -> str:
        """What people read for the action (the code stays in the row, and in a tooltip)."""
        return actions.label(self.action)

    @classmethod
    def scope_q(cls, user, action):
        # The trail is read by district staff with the view permission; nobody changes it.
        from ..permissions import ALL_ROWS

        return ALL_ROWS if action == "view" else None


class AuditCheckpoint(models.Model):
    """A periodic seal over the heads of the chains that moved since the previous one."""

    created_at = models.DateTimeField(_("time"))
    last_audit_id = models.BigIntegerField(_("last audit record"))
    head_count = models.PositiveIntegerField(_("chains sealed"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} @ {self.created_at:%Y-%m-%d %H:%M}"


class AuditCheckpointHead(models.Model):
    """The head (newest row) of one chain as seen at a checkpoint."""

    checkpoint = models.ForeignKey(AuditCheckpoint, on_delete=models.PROTECT, related_name="heads")
    chain_key = models.CharField(_("chain"), max_length=100)
    chain_seq = models.PositiveBigIntegerField(_("position in chain"))
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint head")
        verbose_name_plural = _("audit checkpoint heads")
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "chain_key"], name="core_checkpointhead_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.chain_key} #{self.chain_seq}"


class AuditChainHead(models.Model):
    """The newest row of one chain (its position and hash), moved by every write in the same
    transaction, with an HMAC ``seal`` over the three so that it cannot be set back by hand.

    The database lets a head be created only at its chain's first row and moved only forward by
    one onto an existing row with that hash, and never deleted (triggers created by migration
    0005): deleting the newest row of a chain leaves its head pointing at a row that is gone.
    """

    chain_key = models.CharField(_("chain"), max_length=100, unique=True)
    chain_seq = models.PositiveBigIntegerField(_("position in chain"))
    hash = models.CharField(_("hash"), max_length=64)
    seal = models.CharField(_("seal"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.chain_key} #{self.chain_seq}"
