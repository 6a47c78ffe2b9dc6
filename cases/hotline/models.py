"""12345 hotline work orders (粤省心): import jobs, raw rows, orders, replies, requests, routing data.

A work order is identified by its normalised number (``order_no``): re-importing a file or an
overlapping later export updates the order instead of duplicating it. Every row ever received,
from a file or from the live feed, is kept as it came in :class:`HotlineRawRow`. The hotline's own
deadline (``due_on``) is tracked on the order, apart from any case the order leads to: a case may
run 90 days, the hotline reply may not.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement.models import BackgroundJob, TimelineEvent
from pengjiang_enforcement.permissions import ALL_ROWS, ScopedModel, user_scope

from .choices import (
    OPEN_STATES,
    ImportKind,
    ImportStatus,
    OrderState,
    OrderType,
    PlaceKind,
    RawRowStatus,
    ReplyKind,
    RequestKind,
    RequestStatus,
    RouteMethod,
)

# The dates a stored order may carry at all (see ``cases_hlorder_dates_possible``).
EARLIEST_DAY, LATEST_DAY = datetime.date(1900, 1, 1), datetime.date(2200, 1, 1)
EARLIEST_MOMENT = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST_MOMENT = datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)


class HotlineSource(models.Model):
    """A system allowed to post work orders to the live feed, with its own token.

    Only a SHA-256 hash of the token is stored; the token is shown once, when it is created or
    rotated. ``key_id`` (the token's first characters) finds the row without scanning hashes.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_id = models.CharField(_("key id"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("token issued at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("12345 feed source")
        verbose_name_plural = _("12345 feed sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HotlineImport(BackgroundJob, ScopedModel):
    """One import: an uploaded export file or one delivery of the live feed.

    A file is read by a Celery job into raw rows (``read_cursor`` says how far, committed with
    each batch), previewed, and applied after confirmation in batches (``apply_cursor``). A
    worker killed in the middle resumes from the cursors; applying is an upsert by order number,
    so running a batch twice changes nothing.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices, default=ImportKind.FILE)
    # The importer's township (null for the district and the feed): who else sees the job.
    township = models.ForeignKey(
        "core.Unit", verbose_name=_("township"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.ForeignKey(
        HotlineSource, verbose_name=_("feed source"), null=True, blank=True, on_delete=models.PROTECT
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to="hotline/imports/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    table_kind = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    headers = models.JSONField(_("header cells"), default=list, blank=True)
    columns = models.JSONField(_("recognised columns"), default=dict, blank=True)
    unknown_headers = models.JSONField(_("columns not used"), default=list, blank=True)
    rows_expected = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_invalid = models.PositiveIntegerField(_("rows with errors"), default=0)
    rows_applied = models.PositiveIntegerField(_("rows applied"), default=0)
    read_cursor = models.PositiveIntegerField(_("last row read"), default=0)
    apply_cursor = models.PositiveIntegerField(_("last row applied"), default=0)
    counts = models.JSONField(_("preview counts"), default=dict, blank=True)
    result = models.JSONField(_("result counts"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    township_lookup = "township"
    audit_prefix = "cases.workorder.import_"
    tasks = {
        ImportStatus.QUEUED: "cases.hotline_import_read",
        ImportStatus.READING: "cases.hotline_import_read",
        ImportStatus.APPLYING: "cases.hotline_import_apply",
    }

    class Meta:
        verbose_name = _("12345 import")
        verbose_name_plural = _("12345 imports")
        ordering = ["-id"]
        indexes = [models.Index(fields=["township", "-id"], name="cases_hlimport_township_idx")]

    def __str__(self) -> str:
        return self.original_name or f"#{self.pk}"

    @property
    def percent(self) -> int:
        """Progress for the bar: reading is the first half, applying the second."""
        if self.status in (ImportStatus.DONE, ImportStatus.PREVIEWED):
            return 100 if self.status == ImportStatus.DONE else 50
        expected = self.rows_expected or 0
        if self.status == ImportStatus.READING and expected:
            return min(49, int(50 * self.rows_read / expected))
        if self.status == ImportStatus.APPLYING:
            valid = max(1, self.rows_read - self.rows_invalid)
            return min(99, 50 + int(50 * self.rows_applied / valid))
        return 0


class HotlineRawRow(ScopedModel):
    """A row exactly as it was received (cells as read from the file, or the feed item), with
    what was made of it: the parsed values, or the errors that kept it out."""

    # Indexed by the unique (job, row_number) constraint.
    job = models.ForeignKey(
        HotlineImport, verbose_name=_("import"), on_delete=models.PROTECT, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField(_("row"))
    order_no = models.CharField(_("work-order number"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RawRowStatus.choices)
    cells = models.JSONField(_("cells as received"))
    parsed = models.JSONField(_("parsed values"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=40, blank=True)
    # A later row of the same file carries the same number: that later row wins.
    superseded = models.BooleanField(_("superseded by a later row"), default=False)
    # The order's search vector, built as the row is read (applying only copies it).
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("12345 raw row")
        verbose_name_plural = _("12345 raw rows")
        ordering = ["job", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="cases_hlrawrow_unique_row"),
        ]
        indexes = [
            models.Index(fields=["order_no"], name="cases_hlrawrow_order_idx"),
            models.Index(fields=["job", "status", "row_number"], name="cases_hlrawrow_job_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"

    @classmethod
    def scope_q(cls, user, action):
        """A raw row is seen by who sees its import, or the order it became."""
        return Q(job__in=HotlineImport.objects.restrict(user, action).values("pk")) | Q(
            order_no__in=HotlineOrder.objects.restrict(user, action).values("order_no")
        )


class HotlineOrder(ScopedModel):
    """A 12345 work order: what the citizen asked, where it was routed, and the hotline's clock.

    The fields up to ``search_vector`` come from the hotline (the latest import wins); the rest
    is the township's own handling. ``due_on`` is the hotline deadline: the order's own promised
    time (承诺完成时间) when the export gives one, else received date + 2/10/15 working days by
    type; an approved extension moves it to ``extended_due_on``.
    """

    # Set by the selectors of the pages that show the order (not stored).
    flag: Any

    # --- from the hotline ----------------------------------------------------------------
    order_no = models.CharField(_("work-order number"), max_length=50, unique=True)
    order_no_raw = models.CharField(_("number as received"), max_length=100)
    city_order_no = models.CharField(_("city number"), max_length=50, blank=True)
    channel = models.CharField(_("channel"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    content = models.TextField(_("what the citizen says"), blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    matter = models.TextField(_("matter"), blank=True)
    remark = models.TextField(_("remark"), blank=True)
    category_1 = models.CharField(_("category, level 1"), max_length=100, blank=True)
    category_2 = models.CharField(_("category, level 2"), max_length=100, blank=True)
    category_3 = models.CharField(_("category, level 3"), max_length=100, blank=True)
    category_4 = models.CharField(_("category, level 4"), max_length=100, blank=True)
    order_type = models.CharField(_("type"), max_length=20, choices=OrderType.choices, blank=True)
    order_type_text = models.CharField(_("type as written"), max_length=50, blank=True)
    received_at = models.DateTimeField(_("received at"))
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    promised_at = models.DateTimeField(_("promised completion (承诺完成时间)"), null=True, blank=True)
    handling_unit = models.CharField(_("handling unit"), max_length=200, blank=True)
    handling_dept = models.CharField(_("handling department"), max_length=200, blank=True)
    complainant = models.CharField(_("citizen"), max_length=100, blank=True)
    # Kept exactly as the hotline gave it: a masked number stays masked (lists mask full ones).
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    platform_status = models.CharField(_("status in the hotline's export"), max_length=50, blank=True)
    platform_reply = models.TextField(_("result in the hotline's export"), blank=True)
    platform_finished_at = models.DateTimeField(_("completed at (hotline)"), null=True, blank=True)
    satisfaction = models.CharField(_("citizen's rating"), max_length=50, blank=True)
    warning_state = models.CharField(_("warning state"), max_length=50, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    cited_order_nos = ArrayField(
        models.CharField(max_length=50), verbose_name=_("earlier orders cited"), default=list, blank=True
    )
    # Orders about the same address and matter share this key (see ``routing.repeat_key``).
    repeat_key = models.CharField(_("repeat key"), max_length=40, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=40)
    search_vector = SearchVectorField(null=True, editable=False)
    # Foreign keys nobody filters on carry no index of their own: every index is one more write
    # per row of a 100,000-row import (imports and users are never deleted).
    first_import = models.ForeignKey(
        HotlineImport, verbose_name=_("first imported by"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    last_import = models.ForeignKey(
        HotlineImport, verbose_name=_("last imported by"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # --- routing -------------------------------------------------------------------------
    township = models.ForeignKey(
        "core.Unit",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
        db_index=False,  # the queue indexes start with it
    )
    route_method = models.CharField(_("routed"), max_length=10, choices=RouteMethod.choices, default=RouteMethod.NONE)
    route_note = models.CharField(_("routing note"), max_length=300, blank=True)
    route_candidates = ArrayField(
        models.BigIntegerField(), verbose_name=_("candidate townships"), default=list, blank=True
    )
    # --- the township's handling ---------------------------------------------------------
    state = models.CharField(_("state"), max_length=20, choices=OrderState.choices, default=OrderState.PENDING)
    type_days = models.PositiveSmallIntegerField(_("working days allowed by type"), null=True, blank=True)
    base_due_on = models.DateField(_("due on (hotline)"))
    extended_due_on = models.DateField(_("extended to"), null=True, blank=True)
    due_on = models.DateField(_("reply due on"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    reply_text = models.TextField(_("reply (处理结果)"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    return_reason = models.TextField(_("reason of the return"), blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    lead = models.ForeignKey(
        "cases.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
        db_index=False,  # see the partial index below: most orders have no lead
    )
    power_item = models.ForeignKey(
        "powers.PowerItem",
        verbose_name=_("catalogue item chosen by the officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    township_lookup = "township"

    class Meta:
        verbose_name = _("12345 work order")
        verbose_name_plural = _("12345 work orders")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("approve_hotlineorder", _("Can approve extension and return requests of 12345 work orders")),
            ("triage_hotlineorder", _("Can route 12345 work orders that found no township")),
            ("export_hotlineorder", _("Can export 12345 replies for the hotline platform")),
        ]
        constraints = [
            models.CheckConstraint(
                name="cases_hlorder_open_or_routed",
                condition=Q(township__isnull=False) | Q(state__in=[OrderState.PENDING, OrderState.RETURNED]),
            ),
            models.CheckConstraint(
                name="cases_hlorder_replied_has_reply",
                condition=~Q(state=OrderState.REPLIED) | (~Q(reply_text="") & Q(replied_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="cases_hlorder_returned_has_reason",
                condition=~Q(state=OrderState.RETURNED) | ~Q(return_reason=""),
            ),
            # An export's "no date" (0001-01-01, 9999-12-31) can never be stored: read back, such a
            # value breaks every page and deadline that touches the order. Imports refuse a far
            # narrower range (settings.IMPORT_DATE_MIN ...); this is the floor under all of them.
            models.CheckConstraint(
                name="cases_hlorder_dates_possible",
                condition=Q(received_at__gte=EARLIEST_MOMENT, received_at__lt=LATEST_MOMENT)
                & Q(due_on__gte=EARLIEST_DAY, due_on__lt=LATEST_DAY)
                & Q(base_due_on__gte=EARLIEST_DAY, base_due_on__lt=LATEST_DAY)
                & (
                    Q(dispatched_at__isnull=True)
                    | Q(dispatched_at__gte=EARLIEST_MOMENT, dispatched_at__lt=LATEST_MOMENT)
                )
                & (Q(promised_at__isnull=True) | Q(promised_at__gte=EARLIEST_MOMENT, promised_at__lt=LATEST_MOMENT))
                & (
                    Q(platform_finished_at__isnull=True)
                    | Q(platform_finished_at__gte=EARLIEST_MOMENT, platform_finished_at__lt=LATEST_MOMENT)
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["township", "state", "due_on"], name="cases_hlorder_queue_idx"),
            models.Index(fields=["township", "-received_at", "-id"], name="cases_hlorder_recent_idx"),
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(township__isnull=True, state=OrderState.PENDING),
                name="cases_hlorder_triage_idx",
            ),
            # Ties on the due day broken by id, as the queue and the home panel sort them.
            models.Index(
                fields=["township", "due_on", "id"],
                condition=Q(state__in=list(OPEN_STATES)),
                name="cases_hlorder_open_due_idx",
            ),
            models.Index(fields=["repeat_key"], condition=~Q(repeat_key=""), name="cases_hlorder_repeat_idx"),
            models.Index(fields=["lead"], condition=Q(lead__isnull=False), name="cases_hlorder_lead_idx"),
            GinIndex(fields=["cited_order_nos"], name="cases_hlorder_cited_gin", condition=~Q(cited_order_nos=[])),
            GinIndex(fields=["search_vector"], name="cases_hlorder_search_gin"),
        ]

    def __str__(self) -> str:
        return self.order_no

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def in_triage(self) -> bool:
        return self.township_id is None and self.state == OrderState.PENDING

    @classmethod
    def scope_q(cls, user, action):
        """Township staff see and handle their township's orders; district staff read them all.

        Unrouted orders (the triage queue) are seen by district staff and by whoever may triage:
        office heads read the queue and claim an order for their own township (``triage``).
        """
        scope = user_scope(user)
        if scope.everything:
            return ALL_ROWS
        if not scope.township_id:
            return None
        if action == "triage":
            return Q(township__isnull=True, state=OrderState.PENDING)
        mine = Q(township_id=scope.township_id)
        if action == "view" and user.has_perm("cases.triage_hotlineorder"):
            return mine | Q(township__isnull=True, state=OrderState.PENDING)
        return mine


class HotlineOrderChild(ScopedModel):
    """A row of a work order: visible (changeable) when its order is."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user, action):
        return Q(order__in=HotlineOrder.objects.restrict(user, action).values("pk"))


class HotlineReply(HotlineOrderChild):
    """An answer written for the hotline: interim replies while the matter runs, one final reply."""

    order = models.ForeignKey(
        HotlineOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="replies"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReplyKind.choices)
    text = models.TextField(_("reply"))
    replied_at = models.DateTimeField(_("replied at"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replied by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("12345 reply")
        verbose_name_plural = _("12345 replies")
        ordering = ["replied_at", "id"]
        indexes = [models.Index(fields=["order", "replied_at"], name="cases_hlreply_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class HotlineRequest(HotlineOrderChild):
    """A request to extend the hotline deadline or to return the order, decided by the office head."""

    order = models.ForeignKey(
        HotlineOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    reason = models.TextField(_("reason"))
    requested_due_on = models.DateField(_("new deadline asked for"), null=True, blank=True)
    due_before = models.DateField(_("deadline before the request"))
    from_state = models.CharField(_("state before the request"), max_length=20, choices=OrderState.choices)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("12345 request")
        verbose_name_plural = _("12345 requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status=RequestStatus.PENDING),
                name="cases_hlrequest_one_pending_per_order",
            ),
            models.CheckConstraint(
                name="cases_hlrequest_extension_has_date",
                condition=~Q(kind=RequestKind.EXTENSION) | Q(requested_due_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="cases_hlrequest_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.status}"


class HotlineEvent(TimelineEvent, HotlineOrderChild):
    """One step in the life of a work order (accepted, replied, routed, converted...)."""

    audit_prefix = "cases.workorder."

    order = models.ForeignKey(
        HotlineOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        verbose_name = _("12345 work-order event")
        verbose_name_plural = _("12345 work-order events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="cases_hlevent_order_idx")]


class GazetteerEntry(models.Model):
    """A community, village or other place name of a township, for routing orders by address.

    Reference data kept by district admins. Entries not ``verified`` against an official list
    only suggest a township to the triage queue; verified ones route automatically.
    """

    township = models.ForeignKey(
        "core.Unit",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="gazetteer",
        limit_choices_to={"kind": "township"},
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=PlaceKind.choices)
    aliases = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("other names"),
        default=list,
        blank=True,
        help_text=_("Other spellings found in addresses, separated by commas."),
    )
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked against an official list; only these route by themselves.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("gazetteer entry")
        verbose_name_plural = _("gazetteer")
        ordering = ["township__sort_order", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="cases_gazetteer_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.township})"
