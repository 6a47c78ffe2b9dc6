"""What people do with a 12345 work order: accept, reply, ask, decide, route, convert, link.

Every service is keyword-only, runs in one transaction, locks the order, asks the chokepoint
whether the actor may (``restrict(actor, action)``), checks the transition table
(``cases.hotline.workflow``), and writes a timeline event and an audit row.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.choices import UnitKind
from pengjiang_enforcement.exceptions import RuleViolation, check_all
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import require, user_scope
from pengjiang_enforcement.tabular import clean_text
from pengjiang_enforcement.text import is_masked
from pengjiang_enforcement.workflow import transition
from powers.models import PowerItem
from powers.selectors import is_delegated

from ..choices import LeadSource
from ..models import Lead
from .choices import OPEN_STATES, OrderState, ReplyKind, RequestKind, RequestStatus, RouteMethod
from .export import MAX_ROWS, replies_xlsx
from .models import HotlineOrder, HotlineReply, HotlineRequest, HotlineSource
from .parsing import display_phone
from .routing import Gazetteer
from .workflow import ORDERS

ORDER_AUDIT_FIELDS = [
    "state",
    "township",
    "route_method",
    "due_on",
    "extended_due_on",
    "reply_text",
    "replied_at",
    "return_reason",
    "lead",
    "power_item",
]


# --- shared steps ------------------------------------------------------------------------------
def _lock(order: HotlineOrder | int, expected_version: int | None = None) -> HotlineOrder:
    return ORDERS.lock(order, expected_version=expected_version)


def _township_of(order: HotlineOrder) -> Unit:
    """The township that holds the order; an order still in triage is routed first."""
    if order.township is None:
        raise RuleViolation(
            _("The work order is not routed to a township yet: route it first."), rule="hotline_order_unrouted"
        )
    return order.township


def _text(value: str, *, rule: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleViolation(message, rule=rule)
    return value


# --- the township's handling -------------------------------------------------------------------
@transaction.atomic
def order_accept(*, order: HotlineOrder, actor: User, expected_version: int | None = None) -> HotlineOrder:
    """The township takes the order on (签收)."""
    order = _lock(order, expected_version)
    require(actor, "change", order)
    transition(order, "accept", table=ORDERS, actor=actor,
               changes={"accepted_by": actor, "accepted_at": timezone.now()})  # fmt: skip
    return order


@transaction.atomic
def order_interim_reply(*, order: HotlineOrder, actor: User, text: str) -> HotlineReply:
    """An interim answer (阶段性答复) while the matter runs on; the state does not change."""
    order = _lock(order)
    require(actor, "change", order)
    ORDERS.check("interim_reply", order.state)
    text = _text(text, rule="hotline_reply_text", message=_("Write the reply."))
    reply = HotlineReply.objects.create(
        order=order, kind=ReplyKind.INTERIM, text=text, replied_at=timezone.now(), replied_by=actor
    )
    transition(order, "interim_reply", table=ORDERS, actor=actor, note=text, audit={"reply": text})
    return reply


@transaction.atomic
def order_reply(*, order: HotlineOrder, actor: User, text: str, expected_version: int | None = None) -> HotlineOrder:
    """The final answer to the hotline (办结). It closes the hotline's clock, not any case."""
    order = _lock(order, expected_version)
    require(actor, "change", order)
    ORDERS.check("reply", order.state)
    text = _text(text, rule="hotline_reply_text", message=_("Write the reply."))
    now = timezone.now()
    HotlineReply.objects.create(order=order, kind=ReplyKind.FINAL, text=text, replied_at=now, replied_by=actor)
    late = (timezone.localtime(now).date() - order.due_on).days
    transition(order, "reply", table=ORDERS, actor=actor, note=text, data={"days_late": max(0, late)},
               changes={"reply_text": text, "replied_at": now, "replied_by": actor})  # fmt: skip
    return order


def _request(
    order: HotlineOrder, *, kind: str, actor: User, reason: str, due_on: datetime.date | None
) -> HotlineRequest:
    # A second request while one waits is refused by the transition table: a pending request
    # puts the order in 申请延期/申请退单, from which no request starts (and the order row is
    # locked, so two cannot race). The unique constraint on pending requests backs it up.
    return HotlineRequest.objects.create(
        order=order,
        kind=kind,
        reason=reason,
        requested_due_on=due_on,
        due_before=order.due_on,
        from_state=order.state,
        requested_by=actor,
        requested_at=timezone.now(),
    )


@transaction.atomic
def order_request_extension(*, order: HotlineOrder, actor: User, reason: str, due_on: datetime.date) -> HotlineRequest:
    """Ask the office head for a later hotline deadline (延期), with the reason."""
    order = _lock(order)
    require(actor, "change", order)
    ORDERS.check("request_extension", order.state)
    given: dict[str, str] = {}

    def later() -> None:
        if due_on <= order.due_on:
            raise RuleViolation(
                _("The new deadline must be later than the current one (%(day)s)."),
                rule="hotline_extension_later",
                params={"day": order.due_on.isoformat()},
            )

    check_all(
        ("reason", lambda: given.update(reason=_text(reason, rule="hotline_request_reason",
                                                     message=_("Give the reason for the request.")))),
        ("due_on", later),
    )  # fmt: skip
    reason = given["reason"]
    request = _request(order, kind=RequestKind.EXTENSION, actor=actor, reason=reason, due_on=due_on)
    transition(order, "request_extension", table=ORDERS, actor=actor, note=reason,
               data={"due_on": due_on.isoformat(), "request": request.pk})  # fmt: skip
    return request


@transaction.atomic
def order_request_return(*, order: HotlineOrder, actor: User, reason: str) -> HotlineRequest:
    """Ask the office head to return the order to the hotline (退单), with the reason.

    Guangdong holds townships to account for improper returns (不当退单, 粤办函〔2021〕216号),
    hence the head's decision and the recorded reason.
    """
    order = _lock(order)
    require(actor, "change", order)
    ORDERS.check("request_return", order.state)
    reason = _text(reason, rule="hotline_request_reason", message=_("Give the reason for the request."))
    request = _request(order, kind=RequestKind.RETURN, actor=actor, reason=reason, due_on=None)
    transition(order, "request_return", table=ORDERS, actor=actor, note=reason, data={"request": request.pk})
    return request


@transaction.atomic
def order_decide_request(*, request: HotlineRequest, actor: User, approve: bool, note: str = "") -> HotlineRequest:
    """The office head approves or refuses an extension or return request.

    Approved, an extension moves the deadline; a return closes the order for the township.
    Refused, the order goes back to 办理中. Whoever asked does not decide.
    """
    order = _lock(request.order_id)
    require(actor, "approve", order)
    request = HotlineRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise RuleViolation(_("This request was already decided."), rule="hotline_request_decided")
    if request.requested_by_id == actor.pk:
        raise RuleViolation(
            _("You made this request; another office head must decide it."), rule="hotline_request_four_eyes"
        )
    note = note.strip()
    if not approve and not note:
        raise RuleViolation(_("Give the reason for refusing."), rule="hotline_refusal_reason")
    name = f"{'approve' if approve else 'refuse'}_{request.kind}"
    ORDERS.check(name, order.state)
    changes: dict[str, Any] = {}
    if approve and request.kind == RequestKind.EXTENSION:
        changes = {"extended_due_on": request.requested_due_on, "due_on": request.requested_due_on}
    elif approve:
        changes = {"return_reason": request.reason, "returned_at": timezone.now()}
    elif order.accepted_at is None:
        # A refused return of an order never accepted: the head's refusal puts it in hand.
        changes = {"accepted_by": request.requested_by, "accepted_at": timezone.now()}
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    transition(order, name, table=ORDERS, actor=actor, changes=changes, note=note, data={"request": request.pk})
    return request


@transaction.atomic
def order_reopen(*, order: HotlineOrder, actor: User, reason: str) -> HotlineOrder:
    """Back to 办理中 after a final reply (the hotline sent the order back, the citizen objected)."""
    order = _lock(order)
    require(actor, "approve", order)
    ORDERS.check("reopen", order.state)
    reason = _text(reason, rule="hotline_reopen_reason", message=_("Give the reason for reopening."))
    transition(order, "reopen", table=ORDERS, actor=actor, note=reason,
               changes={"reply_text": "", "replied_at": None, "replied_by": None})  # fmt: skip
    return order


# --- the citizen's phone --------------------------------------------------------------------------
def hotline_phone_revealable(order: HotlineOrder) -> str:
    """The full number of the citizen, when the hotline sent one (personal information, PIPL
    Art. 6: pages show it masked; it is shown whole only to call the citizen back)."""
    phone = clean_text(order.phone)
    if not phone or is_masked(phone) or display_phone(phone) == phone:
        raise RuleViolation(
            _("The hotline sent no full phone number with this order: there is nothing to reveal."),
            rule="hotline_phone_revealable",
        )
    return phone


@transaction.atomic
def order_reveal_phone(*, order: HotlineOrder, actor: User) -> str:
    """The citizen's full phone number, for whoever may handle the order (to call back).

    Every reveal is an audit row: who saw whose number, on which order, and when.
    """
    require(actor, "change", order)
    phone = hotline_phone_revealable(order)
    audit_record(
        action="cases.workorder.phone_revealed",
        obj=order,
        actor=actor,
        after={"complainant": order.complainant, "phone": display_phone(phone)},
    )
    return phone


# --- routing and triage ----------------------------------------------------------------------------
@transaction.atomic
def order_route(*, order: HotlineOrder, actor: User, township: Unit | None, reason: str = "") -> HotlineOrder:
    """Place an order in a township, or send it back to triage (``township=None``).

    A district admin routes any pending order anywhere. An office head claims an unplaced order
    for their own township, or sends one of their township's pending orders back to triage
    (with the reason: routing by address can be wrong).
    """
    order = _lock(order)
    ORDERS.check("route", order.state)
    scope = user_scope(actor)
    if township is not None and township.kind != UnitKind.TOWNSHIP:
        raise ValueError("orders are routed to townships")
    if scope.everything:
        require(actor, "triage", order)
    elif township is None:
        require(actor, "approve", order)  # the head of the order's own township
    else:
        require(actor, "triage", order)  # an unplaced order
        if township.pk != scope.township_id:
            raise RuleViolation(
                _("You may claim an order for your own township only."), rule="hotline_claim_own_township"
            )
    if township is None and not reason.strip():
        raise RuleViolation(_("Say why the order is not this township's."), rule="hotline_unroute_reason")
    if (township.pk if township else None) == order.township_id:
        return order
    changes = {
        "township": township,
        "route_method": RouteMethod.MANUAL if township else RouteMethod.NONE,
        "route_note": (reason.strip() or (township.name if township else ""))[:300],
    }
    transition(order, "route", table=ORDERS, actor=actor, changes=changes, note=reason.strip(),
               data={"township": township.name if township else ""},
               event="routed" if township else "unrouted")  # fmt: skip
    return order


@transaction.atomic
def order_return_untriaged(*, order: HotlineOrder, actor: User, reason: str) -> HotlineOrder:
    """Return an order that belongs to no township of the district (e.g. another district's)."""
    order = _lock(order)
    require(actor, "triage", order)
    if not user_scope(actor).everything:
        raise PermissionDenied
    ORDERS.check("return_untriaged", order.state)
    if order.township_id is not None:
        raise RuleViolation(
            _("Only an order no township holds is returned from triage."), rule="hotline_return_untriaged"
        )
    reason = _text(reason, rule="hotline_request_reason", message=_("Give the reason for the request."))
    transition(order, "return_untriaged", table=ORDERS, actor=actor, note=reason,
               changes={"return_reason": reason, "returned_at": timezone.now()})  # fmt: skip
    return order


def triage_reroute(*, actor: User, limit: int = 5000) -> int:
    """Apply the gazetteer again to the orders waiting in triage (after it was improved).

    Each order placed is a routing step of its own (event and audit row), by the system on
    behalf of the admin who asked.
    """
    if not user_scope(actor).everything or not actor.has_perm("cases.triage_hotlineorder"):
        raise PermissionDenied
    gazetteer = Gazetteer.load()
    placed = 0
    waiting = HotlineOrder.objects.filter(township__isnull=True, state=OrderState.PENDING).order_by("pk")
    for pk, unit, dept, address, content, title in waiting.values_list(
        "pk", "handling_unit", "handling_dept", "address", "content", "title"
    )[:limit]:
        route = gazetteer.route(unit=f"{unit} {dept}", texts=[address, content, title])
        if route.township_id is None:
            continue
        with transaction.atomic():
            order = _lock(pk)
            if order.township_id is not None or order.state != OrderState.PENDING:
                continue
            changes = {"township_id": route.township_id, "route_method": route.method, "route_note": route.note}
            transition(order, "route", table=ORDERS, actor=actor, changes=changes, note=route.note,
                       data={"automatic": True})  # fmt: skip
            placed += 1
    return placed


# --- leads, repeats and the catalogue ------------------------------------------------------------
def _lead_description(order: HotlineOrder) -> str:
    parts = [order.title, order.matter if order.matter != order.content else "", order.content]
    text = "\n".join(p for p in parts if p)
    return _("12345 work order %(number)s: %(text)s") % {"number": order.order_no, "text": text}


def _attach_lead(order: HotlineOrder, lead: Lead, *, actor: User, event: str) -> None:
    """Link a locked order to its lead; a pending order is accepted on the way."""
    changes: dict[str, Any] = {"lead": lead}
    if order.state == OrderState.PENDING:
        changes |= {"state": OrderState.IN_PROGRESS, "accepted_by": actor, "accepted_at": timezone.now()}
    transition(order, "convert_to_lead", table=ORDERS, actor=actor, changes=changes,
               data={"lead": lead.reference}, event=event)  # fmt: skip


@transaction.atomic
def order_convert_to_lead(*, order: HotlineOrder, actor: User, today: datetime.date | None = None) -> Lead:
    """Turn the order into a lead in one step (source 12345), linked both ways.

    The lead is registered by the cases app's own service, so it gets its number, its check
    deadline (counted from the day the hotline received the matter) and its audit row. If a lead
    already carries this order's number, the order is linked to it instead.
    """
    from ..services import lead_register

    order = _lock(order)
    require(actor, "change", order)
    ORDERS.check("convert_to_lead", order.state)
    if not actor.has_perm("cases.add_lead"):
        raise PermissionDenied
    if order.lead_id:
        raise RuleViolation(_("This work order already has a lead."), rule="hotline_order_has_lead")
    township = _township_of(order)
    lead = Lead.objects.filter(hotline_order_no=order.order_no).first()
    if lead is None:
        lead = lead_register(
            actor=actor,
            township=township,
            source=LeadSource.HOTLINE_12345,
            discovered_on=timezone.localtime(order.received_at).date(),
            place=(order.address or township.name)[:200],
            description=_lead_description(order),
            reporter_name=order.complainant[:100],
            reporter_phone=display_phone(order.phone)[:30],
            referring_body=_("12345 hotline"),
            external_ref=(order.city_order_no or order.order_no_raw)[:100],
            hotline_order_no=order.order_no,
            today=today,
        )
    elif lead.township_id != order.township_id:
        raise RuleViolation(
            _("Lead %(lead)s of another township already carries this work-order number."),
            rule="hotline_lead_other_township",
            params={"lead": lead.reference},
        )
    _attach_lead(order, lead, actor=actor, event="converted")
    return lead


@transaction.atomic
def order_link_to_lead(*, order: HotlineOrder, actor: User, lead: Lead) -> HotlineOrder:
    """Let a repeat order feed an existing lead of the same township (no second lead)."""
    order = _lock(order)
    require(actor, "change", order)
    ORDERS.check("convert_to_lead", order.state)
    if order.lead_id:
        raise RuleViolation(_("This work order already has a lead."), rule="hotline_order_has_lead")
    if lead.township_id != order.township_id or not Lead.objects.restrict(actor, "view").filter(pk=lead.pk).exists():
        raise RuleViolation(_("The lead belongs to another township."), rule="hotline_lead_other_township")
    _attach_lead(order, lead, actor=actor, event="linked_to_lead")
    return order


@transaction.atomic
def order_choose_item(*, order: HotlineOrder, actor: User, item: PowerItem | None) -> HotlineOrder:
    """The officer confirms the catalogue item the matter falls under (suggestions are only
    shown; nothing is applied without this step). ``None`` clears the choice."""
    order = _lock(order)
    require(actor, "change", order)
    if order.state not in (*OPEN_STATES, OrderState.REPLIED):
        raise RuleViolation(_("A returned work order is not worked on any more."), rule="hotline_order_closed")
    day = timezone.localtime(order.received_at).date()
    township = _township_of(order)
    if item is not None and not is_delegated(item, township, day):
        raise RuleViolation(
            _("%(item)s is not delegated to %(township)s on %(day)s."),
            rule="hotline_item_delegated",
            params={"item": item.name, "township": township.name, "day": day.isoformat()},
        )
    if (item.pk if item else None) == order.power_item_id:
        return order
    transition(order, "choose_item", table=ORDERS, actor=actor, changes={"power_item": item},
               data={"item": item.full_code if item else ""})  # fmt: skip
    return order


# --- the reply file --------------------------------------------------------------------------------
def replies_export(*, actor: User, orders: QuerySet[HotlineOrder], filters: dict[str, Any]) -> tuple[IO[bytes], int]:
    """The replies and statuses of ``orders`` in the hotline's columns (XLSX), audited with the
    filters that chose them. ``orders`` come through the chokepoint's ``export`` action."""
    handle, count = replies_xlsx(orders)
    audit_record(
        action="cases.workorder.replies_exported",
        obj=None,
        actor=actor,
        after={"rows": count, "filters": filters, "limit": MAX_ROWS},
    )
    return handle, count


# --- feed sources ------------------------------------------------------------------------------------
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    key_id = secrets.token_hex(4)
    return key_id, f"{key_id}.{secrets.token_urlsafe(TOKEN_BYTES)}"


@transaction.atomic
def source_create(*, actor: User, name: str, note: str = "") -> tuple[HotlineSource, str]:
    """A new feed source and its token (returned once; only its hash is kept)."""
    name = _text(name, rule="hotline_source_name", message=_("Give the source a name."))
    if HotlineSource.objects.filter(name=name).exists():
        raise RuleViolation(_("A source of that name exists."), rule="hotline_source_unique")
    key_id, token = _new_token()
    source = HotlineSource.objects.create(
        name=name, note=note.strip(), key_id=key_id, token_hash=token_hash(token), created_by=actor,
        rotated_at=timezone.now(),
    )  # fmt: skip
    audit_record(action="cases.hotlinesource.created", obj=source, actor=actor, after={"name": name, "key_id": key_id})
    return source, token


@transaction.atomic
def source_rotate(*, source: HotlineSource, actor: User) -> str:
    """Issue a new token for a source; the old one stops working at once."""
    source = HotlineSource.objects.select_for_update().get(pk=source.pk)
    old = source.key_id
    source.key_id, token = _new_token()
    source.token_hash, source.rotated_at, source.is_active = token_hash(token), timezone.now(), True
    source.save(update_fields=["key_id", "token_hash", "rotated_at", "is_active"])
    audit_record(
        action="cases.hotlinesource.rotated", obj=source, actor=actor, before={"key_id": old},
        after={"key_id": source.key_id},
    )  # fmt: skip
    return token


@transaction.atomic
def source_set_active(*, source: HotlineSource, actor: User, active: bool) -> HotlineSource:
    source = HotlineSource.objects.select_for_update().get(pk=source.pk)
    if source.is_active != active:
        source.is_active = active
        source.save(update_fields=["is_active"])
        audit_record(
            action="cases.hotlinesource." + ("activated" if active else "deactivated"),
            obj=source,
            actor=actor,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return source


def source_for_token(token: str) -> HotlineSource | None:
    """The active source a bearer token belongs to, compared in constant time."""
    key_id = token.split(".", 1)[0][:16]
    source = HotlineSource.objects.filter(key_id=key_id, is_active=True).first() if key_id else None
    # Compare even when no source matched, so a wrong key id takes as long as a wrong secret.
    expected = source.token_hash if source else "0" * 64
    if hmac.compare_digest(token_hash(token), expected) and source is not None:
        return source
    return None
