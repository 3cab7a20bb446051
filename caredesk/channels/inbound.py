"""Inbound email: store the raw message first, then process it from the stored copy.

Processing is idempotent and retryable: a message is claimed under a row lock, a duplicate Message-ID is
ignored, machine mail is recorded without a ticket, and anything unexpected leaves the raw copy for the
worker to try again with backoff. Receivers (SMTP, IMAP, HTTP) call `store_inbound`, then `process_inbound`
or, for several stored messages, `process_batch`: one transaction, a savepoint per message.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from caredesk.channels import actions, parsers, routing
from caredesk.channels.email.automated import AutomatedVerdict, classify_automated
from caredesk.channels.email.parsing import MalformedEmail, ParsedEmail
from caredesk.channels.email.tokens import thread_candidates
from caredesk.channels.inbound_lookups import BatchLookups
from caredesk.channels.models import InboundMessage
from caredesk.channels.parsers import Parsed, ParseFailure
from caredesk.core import audit, clock
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, DomainError
from caredesk.customers.actions import create_customer
from caredesk.customers.contact import find_phone_numbers
from caredesk.customers.models import ContactPoint, Customer
from caredesk.tickets.actions import NewAttachment, add_interaction, create_ticket, receive_customer_message
from caredesk.tickets.models import Channel, Interaction

logger = logging.getLogger("caredesk.channels.inbound")

PENDING = (InboundMessage.Status.RECEIVED, InboundMessage.Status.FAILED)
# The worker leaves fresh messages to the receiver that stored them; it picks up what a crash left behind.
WORKER_GRACE = timedelta(seconds=60)
MAXIMUM_DEFECTS_KEPT = 20
# Messages processed in one transaction: fewer commits, and on SQLite fewer hand-overs of the write lock.
BATCH_MESSAGES = 32
BATCH_BYTES = 4 * 1024 * 1024


def raw_url(inbound_id: int) -> str:
    return f"/api/v1/inbound-messages/{inbound_id}/raw"


def process_inbound(inbound_id: int) -> str | None:
    """Process one stored message; returns its new status, or None when there was nothing to do."""
    return process_batch([inbound_id])[inbound_id]


def process_batch(inbound_ids: list[int], parsed: dict[int, Parsed] | None = None, *,
                  until: Callable[[], bool] | None = None) -> dict[int, str | None]:
    """Process stored messages in one transaction, each in its own savepoint, so one that fails rolls back
    alone. `parsed` holds results parsed ahead (outside any transaction); the others are parsed here, before
    the transaction. Returns each message's new status, or None for one another process has or had.

    `until` is asked after each message; when it answers true the batch commits there, and the messages not
    reached keep the status `received` (a writer waiting for the database goes first)."""
    results: dict[int, str | None] = dict.fromkeys(inbound_ids)
    parsed = {**parse_stored([pk for pk in inbound_ids if pk not in (parsed or {})]), **(parsed or {})}
    if not parsed:
        return results
    with transaction.atomic(), audit.written_together():
        locked = list(InboundMessage.objects.select_for_update(skip_locked=True)
                      .filter(pk__in=list(parsed), status__in=PENDING).order_by("id")
                      .only("id", "status", "received_at", "envelope_sender", "envelope_recipients"))
        lookups = BatchLookups((parsed[row.pk] for row in locked if isinstance(parsed[row.pk], ParsedEmail)),
                               batch=[row.pk for row in locked])
        for position, row in enumerate(locked):
            results[row.pk] = _process_locked(row, parsed.pop(row.pk), lookups).status
            if until is not None and position + 1 < len(locked) and until():
                results.update((later.pk, later.status) for later in locked[position + 1:])
                break
    return results


def parse_stored(inbound_ids: list[int]) -> dict[int, Parsed]:
    """The stored messages among `inbound_ids` still waiting to be processed, parsed by this process's parser
    pool (outside any transaction)."""
    parsed: dict[int, Parsed] = {}
    for inbound_id in inbound_ids:  # one at a time: a message may be large
        raw = InboundMessage.objects.filter(pk=inbound_id, status__in=PENDING).values_list("raw", flat=True).first()
        if raw is not None:
            parsed[inbound_id] = parsers.pool.parse(raw if isinstance(raw, bytes) else bytes(raw))
            del raw
    return parsed


def _process_locked(row: InboundMessage, parsed: Parsed, lookups: BatchLookups) -> InboundMessage:
    if isinstance(parsed, MalformedEmail):
        return actions.fail_inbound(row.pk, f"not an email message: {parsed}", retry=False)
    if isinstance(parsed, ParseFailure):
        return actions.quarantine_inbound(row.pk, parsed.reason)
    try:
        with transaction.atomic():
            row = _apply(row, parsed, classify_automated(parsed, envelope_sender=row.envelope_sender), lookups)
    except IntegrityError as error:
        if not Interaction.objects.filter(external_id=parsed.message_id).exists():
            return actions.fail_inbound(row.pk, f"{type(error).__name__}: {error}", retry=True)
        # The same Message-ID was written by a concurrent process between our check and our insert.
        row = actions.finish_inbound(row, status=InboundMessage.Status.IGNORED, message_id=parsed.message_id,
                                     outcome="duplicate: the same Message-ID arrived twice at once")
    except DomainError as error:
        # A conflict (a concurrent writer took the same contact point) is worth another try; bad data is not.
        return actions.fail_inbound(row.pk, f"{error.field or 'message'}: {error.detail}",
                                    retry=isinstance(error, Conflict))
    except Exception as error:  # a bug or an outage: keep the raw copy, retry later
        logger.exception("processing inbound message #%s failed; it will be retried", row.pk)
        return actions.fail_inbound(row.pk, f"{type(error).__name__}: {error}", retry=True)
    lookups.remember(row, parsed)
    return row


def process_pending(limit: int = 500) -> int:
    """The worker's sweep: messages a receiver stored but did not process, and failures due for a retry."""
    now = clock.now()
    due = list(
        InboundMessage.objects.filter(
            Q(status=InboundMessage.Status.RECEIVED, received_at__lte=now - WORKER_GRACE)
            | Q(status=InboundMessage.Status.FAILED, next_attempt_at__lte=now)
        ).order_by("id").values_list("pk", "size")[:limit]
    )
    return sum(1 for batch in batches(due) for status in process_batch(batch).values() if status is not None)


def next_batch(stored: deque[tuple]) -> list[tuple]:
    """Take from the left of `stored`, entries (id, size, ...), the first and those behind it within the limits
    of `batches`."""
    batch = [stored.popleft()]
    total = batch[0][1]
    while stored and len(batch) < BATCH_MESSAGES and total + stored[0][1] <= BATCH_BYTES:
        batch.append(stored.popleft())
        total += batch[-1][1]
    return batch


def batches(messages: list[tuple[int, int]], *, most: int = BATCH_MESSAGES, most_bytes: int = BATCH_BYTES):
    """(id, size) pairs grouped for `process_batch`: at most `most` messages and, but for a single large
    message, `most_bytes` of raw mail per group, which bounds the memory parsed messages hold."""
    batch, total = [], 0
    for inbound_id, size in messages:
        if batch and (len(batch) == most or total + size > most_bytes):
            yield batch
            batch, total = [], 0
        batch.append(inbound_id)
        total += size
    if batch:
        yield batch


def _apply(row: InboundMessage, parsed: ParsedEmail, verdict: AutomatedVerdict | None,
           lookups: BatchLookups) -> InboundMessage:
    ignore = _reason_to_ignore(parsed, verdict, lookups)
    if ignore is not None:
        outcome, automated_kind = ignore
        found = routing.ticket_of_message_ids(thread_candidates(parsed), lookups.owners) if verdict else None
        return actions.finish_inbound(row, status=InboundMessage.Status.IGNORED, outcome=outcome,
                                      message_id=parsed.message_id, automated_kind=automated_kind,
                                      ticket=found[0] if found else None)
    sender = lookups.customer(parsed.from_address)
    route = routing.route_email(parsed, sender, envelope_recipients=row.envelope_recipients, owners=lookups.owners)
    phone_numbers = find_phone_numbers(parsed.reply_body)
    sender = sender or _new_customer(parsed, phone_numbers)
    body = parsed.reply_body
    ticket = route.ticket or create_ticket(
        actor=Actor.customer(sender.name), requester=sender, subject=(parsed.subject.strip() or "(no subject)")[:250],
        description=body, channel=Channel.EMAIL,
    )
    interaction = receive_customer_message(
        ticket, customer=sender, channel=Channel.EMAIL, body=body, external_id=parsed.message_id,
        occurred_at=row.received_at, details=_details(row, parsed, route, phone_numbers),
        attachments=[NewAttachment(a.filename, a.content_type, a.content) for a in parsed.attachments],
    )
    if parsed.over_limit is not None:
        _note_over_limit(row, parsed, interaction)
    outcome = _describe(route, ticket.pk, interaction.ticket_id)
    return actions.finish_inbound(row, status=InboundMessage.Status.PROCESSED, outcome=outcome,
                                  message_id=parsed.message_id, ticket=interaction.ticket, interaction=interaction)


def _note_over_limit(row: InboundMessage, parsed: ParsedEmail, message: Interaction) -> None:
    """The internal note beside a message that was not parsed: which limit, and where the original is."""
    setting = f"CAREDESK_MAIL_MAX_{parsed.over_limit.limit.upper()}"
    add_interaction(message.ticket, actor=Actor.system("email"), channel=Channel.INTERNAL,
                    direction=Interaction.Direction.INTERNAL, kind=Interaction.Kind.NOTE,
                    occurred_at=row.received_at, details={"inbound_message": row.pk, "raw_url": raw_url(row.pk)},
                    body=f"Inbound message #{row.pk} was not read: {parsed.over_limit.detail} ({setting}). "
                         f"Only its sender and the start of its subject are shown; the original can be downloaded "
                         f"at {raw_url(row.pk)}.")


def _reason_to_ignore(parsed: ParsedEmail, verdict, lookups: BatchLookups) -> tuple[str, str] | None:
    """(outcome, automated kind) when the message gets no ticket, else None."""
    duplicate = lookups.finished_with(parsed.message_id)
    if duplicate is not None:
        return f"duplicate of inbound message #{duplicate} (same Message-ID)", ""
    if lookups.on_timeline(parsed.message_id):
        return "duplicate: a timeline entry already has this Message-ID", ""
    if lookups.ours(parsed.message_id):
        return "our own outbound message came back", ""
    if verdict is not None:
        return f"machine mail ({verdict.kind}): {verdict.reason}", str(verdict.kind)
    if parsed.from_address is None:
        return "no valid sender address", ""
    if parsed.from_address == settings.EMAIL_ADDRESS.lower():
        return "sent from caredesk's own address", ""
    return None


def _new_customer(parsed: ParsedEmail, numbers: list[str]) -> Customer:
    """A customer for an unknown sender, with the phone numbers they wrote that belong to nobody yet."""
    taken = set(ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE, value__in=numbers)
                .values_list("value", flat=True))
    name = (parsed.from_name or parsed.from_address.partition("@")[0]).strip()[:200]
    return create_customer(actor=Actor.system("email"), name=name or parsed.from_address,
                           emails=[parsed.from_address], phones=[n for n in numbers if n not in taken])


def _details(row: InboundMessage, parsed: ParsedEmail, route: routing.EmailRoute, phone_numbers: list[str]) -> dict:
    details = {
        "thread": route.thread,
        "threaded_by": route.via,
        "inbound_message": row.pk,
        "raw_url": raw_url(row.pk),
        "message_id": parsed.message_id,
        "subject": parsed.subject,
        "from": parsed.from_address,
        "from_name": parsed.from_name,
        "reply_to": parsed.reply_to,
        "to": list(parsed.to),
        "cc": list(parsed.cc),
        "date": parsed.date.isoformat() if parsed.date else None,
        "phone_numbers": phone_numbers,
    }
    if parsed.html_body:
        details["html"] = parsed.html_body
    if parsed.forwarded_at is not None:
        details["forwarded_at"] = parsed.forwarded_at
    if parsed.invites:
        details["invites"] = [invite.as_dict() for invite in parsed.invites]
    if parsed.skipped_attachments:
        details["skipped_attachments"] = [
            {"filename": skipped.filename, "content_type": skipped.content_type, "size": skipped.size,
             "reason": skipped.reason} for skipped in parsed.skipped_attachments
        ]
    if parsed.defects:
        details["defects"] = list(parsed.defects[:MAXIMUM_DEFECTS_KEPT])
    return details


def _describe(route: routing.EmailRoute, ticket_id: int, landed_on: int) -> str:
    if route.ticket is None:
        return f"new ticket #{landed_on}"
    if landed_on != ticket_id:
        return f"follow-up ticket #{landed_on} of closed ticket #{ticket_id} ({route.via})"
    return f"{route.thread} on ticket #{ticket_id} ({route.via})"
