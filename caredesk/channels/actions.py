"""The only writers of channel rows: raw inbound mail, IMAP positions and the outbox.

Inbound mail reaches tickets through caredesk.tickets.actions (see `inbound.py`). What happens to an outbound
message is written as TicketEvents on its ticket; what happens to an inbound message as ChannelEvents.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from caredesk.core import audit, clock, roles
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from caredesk.core.db import statements
from caredesk.channels import parsers
from caredesk.channels.email import redaction as email_redaction
from caredesk.channels.models import ChannelEvent, ImapMailboxState, InboundMessage, OutboundMessage
from caredesk.tickets.actions import add_interaction, record_event
from caredesk.tickets.models import Interaction, Ticket

SYSTEM = Actor.system("channels")
OUTBOX = Actor.system("outbox")
INBOUND_MAX_ATTEMPTS = 5
MAXIMUM_RETRY_DELAY = timedelta(hours=6)


def _record(action: str, *, inbound: InboundMessage | None = None, actor: Actor = SYSTEM, **details) -> None:
    audit.write(ChannelEvent.build(actor, action, inbound=inbound, **details))


@transaction.atomic
def download_original(inbound: InboundMessage, *, agent, via: str) -> bytes:
    """The message exactly as received, for an agent who works tickets: audited (who, which message, from
    where: "workspace" or "api"), since it holds everything the customer's mail program sent."""
    if not agent.can(roles.WORK_TICKETS):
        raise Forbidden("Your role does not allow this (work tickets).", field="inbound_message")
    _record("inbound.original_downloaded", inbound=inbound, actor=Actor.of_agent(agent),
            after={"size": len(inbound.raw), "via": via})
    return bytes(inbound.raw)


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """Exponential backoff: base, 2 x base, 4 x base... at most six hours."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAXIMUM_RETRY_DELAY)


# inbound


@transaction.atomic
def store_inbound(
    raw: bytes,
    *,
    source: str,
    envelope_sender: str | None = None,
    envelope_recipients: Iterable[str] = (),
    mailbox: str = "",
    uidvalidity: int | None = None,
    uid: int | None = None,
) -> InboundMessage:
    """Keep a message exactly as received. Returns the stored row (the existing one for an IMAP UID seen before).

    The caller acknowledges the message (SMTP 250, IMAP position, HTTP 202) only after this returns.
    """
    if not raw or raw.isspace():  # isspace, not strip: no copy of a large message
        raise ValidationFailed("The message is empty.", field="raw")
    if len(raw) > settings.EMAIL_MAX_BYTES:
        raise ValidationFailed(
            f"The message is {len(raw)} bytes; at most {settings.EMAIL_MAX_BYTES} are accepted.", field="raw"
        )
    if source not in InboundMessage.Source.values:
        raise ValidationFailed(f"Unknown source {source!r}.", field="source")
    if uid is not None:
        existing = InboundMessage.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid).first()
        if existing is not None:
            return existing
    row = InboundMessage.objects.create(
        source=source, received_at=clock.now(), envelope_sender=envelope_sender,
        envelope_recipients=[recipient[:254] for recipient in envelope_recipients][:100], mailbox=mailbox,
        uidvalidity=uidvalidity, uid=uid, raw=raw, size=len(raw),
    )
    _record("inbound.received", inbound=row, after={"source": source, "size": len(raw), "mailbox": mailbox or None})
    return row


@transaction.atomic
def finish_inbound(
    inbound: InboundMessage,
    *,
    status: str,
    outcome: str,
    message_id: str = "",
    automated_kind: str = "",
    ticket: Ticket | None = None,
    interaction: Interaction | None = None,
) -> InboundMessage:
    """Close processing of an inbound message: processed (on `ticket`) or ignored (and why)."""
    if status not in (InboundMessage.Status.PROCESSED, InboundMessage.Status.IGNORED):
        raise ValueError(f"finish_inbound takes processed or ignored, not {status!r}")
    now = clock.now()
    values = {
        "status": status, "outcome": outcome[:300], "message_id": message_id[:255], "automated_kind": automated_kind,
        "ticket": ticket, "interaction": interaction, "processed_at": now, "next_attempt_at": None, "error": "",
    }
    for name, value in values.items():
        setattr(inbound, name, value)
    statements.update_rows([inbound], list(values))  # one per message processed: SQL built once
    _record(f"inbound.{status}", inbound=inbound, after={
        "outcome": outcome, "message_id": message_id or None, "ticket": ticket.pk if ticket else None,
    })
    return inbound


@transaction.atomic
def fail_inbound(inbound_id: int, error: str, *, retry: bool) -> InboundMessage:
    """Record a failed processing attempt; a retryable one is tried again later with backoff."""
    row = InboundMessage.objects.select_for_update().only("id", "attempts", "status").get(pk=inbound_id)
    attempts = row.attempts + 1
    again = retry and attempts < INBOUND_MAX_ATTEMPTS
    next_attempt_at = clock.now() + retry_delay(attempts, 60) if again else None
    InboundMessage.objects.filter(pk=inbound_id).update(
        status=InboundMessage.Status.FAILED, error=error[:5000], attempts=attempts, next_attempt_at=next_attempt_at,
    )
    _record("inbound.failed", inbound=row, after={"error": error[:500], "attempts": attempts, "retry": again})
    row.status, row.error, row.attempts, row.next_attempt_at = InboundMessage.Status.FAILED, error, attempts, next_attempt_at
    return row


@transaction.atomic
def quarantine_inbound(inbound_id: int, reason: str) -> InboundMessage:
    """Set aside a message whose parsing failed twice (out of memory, out of time, the parser killed): its raw
    copy stays, nothing tries it again, and an Admin retries or discards it (`retry_quarantined`,
    `discard_quarantined`)."""
    row = InboundMessage.objects.select_for_update().only("id", "attempts", "status").get(pk=inbound_id)
    previous = row.status
    row.attempts += 1
    row.status, row.error, row.next_attempt_at = InboundMessage.Status.QUARANTINED, reason[:5000], None
    row.outcome = "quarantined: parsing it failed twice"
    statements.update_rows([row], ["status", "error", "attempts", "next_attempt_at", "outcome"])
    _record("inbound.quarantined", inbound=row, before={"status": previous},
            after={"status": row.status, "reason": reason[:500], "attempts": row.attempts})
    return row


def _quarantined(inbound_ids: list[int]) -> list[InboundMessage]:
    """The rows of `inbound_ids`, locked, in that order; NotFound or Conflict names the first that is not one."""
    rows = InboundMessage.objects.select_for_update().defer("raw").in_bulk(inbound_ids)
    for inbound_id in inbound_ids:
        if inbound_id not in rows:
            raise NotFound(f"There is no inbound message {inbound_id}.", field="id")
        if rows[inbound_id].status != InboundMessage.Status.QUARANTINED:
            raise Conflict(f"Inbound message {inbound_id} is {rows[inbound_id].status}, not quarantined.",
                           field="id")
    return [rows[inbound_id] for inbound_id in inbound_ids]


@transaction.atomic
def retry_quarantined(inbound_ids: list[int], *, actor: Actor) -> list[InboundMessage]:
    """Process quarantined messages again (after a fix, or with higher limits): they are due for a retry, which
    the worker's next pass makes. One whose parsing fails twice again is quarantined again."""
    rows = _quarantined(inbound_ids)
    now = clock.now()
    for row in rows:
        row.status, row.outcome, row.next_attempt_at = InboundMessage.Status.FAILED, "retried from quarantine", now
    statements.update_rows(rows, ["status", "outcome", "next_attempt_at"])
    for row in rows:
        _record("inbound.retried", inbound=row, actor=actor, before={"status": InboundMessage.Status.QUARANTINED},
                after={"status": row.status, "next_attempt_at": now})
    return rows


@transaction.atomic
def discard_quarantined(inbound_ids: list[int], *, actor: Actor) -> list[InboundMessage]:
    """Give up on quarantined messages: `ignored`, with who discarded them. The raw copies stay."""
    rows = _quarantined(inbound_ids)
    now = clock.now()
    for row in rows:
        row.status, row.processed_at = InboundMessage.Status.IGNORED, now
        row.outcome = f"discarded from quarantine by {actor.label}"[:300]
    statements.update_rows(rows, ["status", "outcome", "processed_at"])
    for row in rows:
        _record("inbound.discarded", inbound=row, actor=actor, before={"status": InboundMessage.Status.QUARANTINED},
                after={"status": row.status, "outcome": row.outcome})
    return rows


@transaction.atomic
def save_imap_position(name: str, *, uidvalidity: int, last_uid: int) -> ImapMailboxState:
    """Remember how far mailbox `name` was read. A new UIDVALIDITY starts the count again."""
    state = ImapMailboxState.objects.select_for_update().filter(name=name).first()
    now = clock.now()
    if state is None:
        state = ImapMailboxState.objects.create(name=name, uidvalidity=uidvalidity, last_uid=last_uid, polled_at=now)
        _record("imap.position", after={"mailbox": name, "uidvalidity": uidvalidity, "last_uid": last_uid})
        return state
    if (state.uidvalidity, state.last_uid) != (uidvalidity, last_uid):
        _record("imap.position", before={"uidvalidity": state.uidvalidity, "last_uid": state.last_uid},
                after={"mailbox": name, "uidvalidity": uidvalidity, "last_uid": last_uid})
    state.uidvalidity, state.last_uid, state.polled_at = uidvalidity, last_uid, now
    state.save()
    return state


# outbox


@transaction.atomic
def queue_message(
    *,
    ticket: Ticket,
    actor: Actor,
    channel: str,
    origin: str,
    idempotency_key: str,
    to: Iterable[str] = (),
    subject: str = "",
    body: str = "",
    interaction: Interaction | None = None,
    template: str = "",
    automatic: bool = False,
    message_id: str | None = None,
    thread: Iterable[str] = (),
    reply_to: str = "",
    failure_reason: str = "",
) -> OutboundMessage:
    """Write an outbox row, or return the one already written under `idempotency_key`.

    Callers validate (see outbox.py); with `failure_reason` the row is written already failed, so a message
    that cannot go out (unknown template, no address) is visible on the ticket instead of lost.
    """
    existing = OutboundMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if channel not in OutboundMessage.Channel.values:
        raise ValidationFailed(f"Channel must be one of {', '.join(OutboundMessage.Channel.values)}.", field="channel")
    thread = list(thread)
    now = clock.now()
    status = OutboundMessage.Status.FAILED if failure_reason else OutboundMessage.Status.QUEUED
    try:
        with transaction.atomic():
            row = OutboundMessage.objects.create(
                ticket=ticket, interaction=interaction, channel=channel, origin=origin,
                author_label=actor.label if actor.kind == "playbook" else "", template=template, to=list(to),
                subject=subject, body=body, automatic=automatic, message_id=message_id,
                in_reply_to=thread[-1] if thread else "", references=thread, reply_to=reply_to, status=status,
                failure_reason=failure_reason, next_attempt_at=None if failure_reason else now,
                idempotency_key=idempotency_key, created_at=now, updated_at=now,
            )
    except IntegrityError:  # the same key written by a concurrent transaction
        return OutboundMessage.objects.get(idempotency_key=idempotency_key)
    record_event(actor, ticket, "outbound.failed" if failure_reason else "outbound.queued", interaction=interaction,
                 after={"outbound": row.pk, "channel": channel, "to": row.to, "template": template or None,
                        "reason": failure_reason or None})
    return row


@transaction.atomic
def claim_due_outbound(limit: int = 50) -> list[int]:
    """Take up to `limit` due messages for delivery (a lease: a message not finished within
    CAREDESK_OUTBOX_LEASE_SECONDS, its worker killed say, is claimed again)."""
    now = clock.now()
    rows = list(
        OutboundMessage.objects.select_for_update(skip_locked=True)
        .filter(status__in=[OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENDING], next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    OutboundMessage.objects.filter(pk__in=rows).update(
        status=OutboundMessage.Status.SENDING, next_attempt_at=now + lease, updated_at=now,
    )
    return rows


@transaction.atomic
def mark_sent(outbound: OutboundMessage, *, transport: str, provider_id: str = "") -> OutboundMessage:
    """A delivered message. An automatic one gets its timeline entry now, written as its playbook."""
    row = OutboundMessage.objects.select_for_update().select_related("ticket").get(pk=outbound.pk)
    if row.status == OutboundMessage.Status.SENT:
        return row
    now = clock.now()
    row.attempts += 1
    row.status, row.sent_at, row.updated_at, row.next_attempt_at = OutboundMessage.Status.SENT, now, now, None
    row.transport, row.provider_id, row.failure_reason = transport, provider_id[:64], ""
    if row.interaction_id is None and not row.ticket.is_closed:
        row.interaction = add_interaction(
            row.ticket, actor=Actor(kind="playbook", label=row.author_label or "playbook"),
            channel=row.channel, direction=Interaction.Direction.OUTBOUND, kind=Interaction.Kind.MESSAGE,
            body=row.body, occurred_at=now, details={"outbound": row.pk, "to": row.to, "subject": row.subject,
                                                      "template": row.template, "message_id": row.message_id},
        )
    row.save()
    record_event(OUTBOX, row.ticket, "outbound.sent", interaction=row.interaction,
                 after={"outbound": row.pk, "transport": transport, "provider_id": provider_id or None})
    return row


@transaction.atomic
def mark_attempt_failed(outbound: OutboundMessage, reason: str, *, permanent: bool) -> OutboundMessage:
    """A delivery attempt failed: try again later with backoff, or give up (permanent, or out of attempts)."""
    row = OutboundMessage.objects.select_for_update().select_related("ticket").get(pk=outbound.pk)
    if row.status == OutboundMessage.Status.SENT:
        return row
    now = clock.now()
    row.attempts += 1
    give_up = permanent or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    row.status = OutboundMessage.Status.FAILED if give_up else OutboundMessage.Status.QUEUED
    row.next_attempt_at = None if give_up else now + retry_delay(row.attempts, settings.OUTBOX_RETRY_SECONDS)
    row.failure_reason, row.updated_at = reason[:2000], now
    row.save()
    record_event(OUTBOX, row.ticket, "outbound.failed" if give_up else "outbound.retry_scheduled",
                 interaction=row.interaction, after={
                     "outbound": row.pk, "attempts": row.attempts, "reason": reason[:500],
                     "next_attempt_at": row.next_attempt_at,
                 })
    return row


@transaction.atomic
def record_provider_status(provider_id: str, provider_status: str) -> OutboundMessage | None:
    """A delivery report from the SMS provider; `undelivered` or `failed` turns a sent message into failed."""
    row = OutboundMessage.objects.select_for_update().select_related("ticket").filter(provider_id=provider_id).first()
    if row is None or row.provider_status == provider_status:
        return row
    before, row.provider_status, row.updated_at = row.provider_status, provider_status[:32], clock.now()
    if provider_status in ("undelivered", "failed"):
        row.status, row.failure_reason = OutboundMessage.Status.FAILED, f"the provider reports {provider_status}"
    row.save()
    record_event(OUTBOX, row.ticket, "outbound.provider_status", interaction=row.interaction, field="provider_status",
                 before=before or None, after=provider_status)
    return row


def redact_inbound(ticket_id: int, pattern) -> dict[int, int]:
    """A redaction of the ticket (tickets.actions.redact) in the email as received: every inbound message on
    the ticket, or on one of its interactions (a merged ticket's), rewritten without the text (see
    channels/email/redaction.py). {inbound id: occurrences}."""
    found = {}
    ids = InboundMessage.objects.filter(Q(ticket_id=ticket_id) | Q(interaction__ticket_id=ticket_id)).values_list(
        "pk", flat=True).order_by("pk")
    for pk in list(ids):  # one message in memory at a time: each may be tens of megabytes
        raw = bytes(InboundMessage.objects.values_list("raw", flat=True).get(pk=pk))
        raw, occurrences = email_redaction.redact(raw, pattern, parsers.mail_limits())
        if occurrences:
            InboundMessage.objects.filter(pk=pk).update(raw=raw, size=len(raw))
            found[pk] = occurrences
    return found
