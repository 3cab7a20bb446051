"""Which ticket a message belongs to. Reads only; the callers write through actions.

Email: a reply to one of the ticket's messages (In-Reply-To, References), then a signed reply-to token,
then a subject tag when the sender is the ticket's customer. Anything else from a customer, and every text
or call, lands on the customer's most recent open ticket, or on a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from caredesk.channels.config import token_secret
from caredesk.channels.email.parsing import ParsedEmail
from caredesk.channels.email.tokens import ReferenceConfidence, find_ticket_reference, thread_candidates
from caredesk.channels.models import OutboundMessage
from caredesk.customers.models import Customer
from caredesk.tickets import lifecycle
from caredesk.tickets.models import Interaction, Ticket

REPLY = "reply"  # threaded to one of the ticket's messages: the customer answers (stops a follow-up)
NEW = "new"  # matched to the ticket only by its sender, or created it (restarts a follow-up)


@dataclass(frozen=True)
class EmailRoute:
    ticket: Ticket | None  # None: create a ticket
    thread: str  # REPLY or NEW
    via: str  # in_reply_to, references, token, subject_tag, sender, new_ticket


def message_owners(message_ids) -> dict[str, int]:
    """Which ticket each of `message_ids` that is one of our messages (inbound or outbound) belongs to."""
    owners = dict(Interaction.objects.filter(external_id__in=message_ids).values_list("external_id", "ticket_id"))
    owners.update(OutboundMessage.objects.filter(message_id__in=message_ids).values_list("message_id", "ticket_id"))
    return owners


def ticket_of_message_ids(candidates: list[str], owners: dict[str, int] | None = None) -> tuple[Ticket, str] | None:
    """The ticket of the first id in `candidates` that is one of our messages, by `owners` (read when not
    given, see `message_owners`)."""
    if not candidates:
        return None
    owners = message_owners(candidates) if owners is None else owners
    for identifier in candidates:
        if identifier in owners:
            return Ticket.objects.select_related("requester").get(pk=owners[identifier]), identifier
    return None


def route_email(parsed: ParsedEmail, sender: Customer | None, *, envelope_recipients=(),
                owners: dict[str, int] | None = None) -> EmailRoute:
    """Where `parsed` belongs; `owners` may hold what `message_owners` answers for its thread candidates."""
    candidates = thread_candidates(parsed)
    found = ticket_of_message_ids(candidates, owners)
    if found is not None:
        ticket, identifier = found
        return EmailRoute(ticket, REPLY, "in_reply_to" if identifier == parsed.in_reply_to else "references")
    reference = find_ticket_reference(parsed, token_secret(), envelope_recipients=tuple(envelope_recipients))
    if reference is not None:
        ticket = Ticket.objects.select_related("requester").filter(pk=reference.ticket_number).first()
        if ticket is not None and reference.confidence == ReferenceConfidence.SIGNED:
            return EmailRoute(ticket, REPLY, "token")
        if ticket is not None and sender is not None and ticket.requester_id == sender.pk:
            return EmailRoute(ticket, REPLY, "subject_tag")
    ticket = latest_open_ticket(sender) if sender is not None else None
    return EmailRoute(ticket, NEW, "sender") if ticket else EmailRoute(None, NEW, "new_ticket")


def latest_open_ticket(customer: Customer) -> Ticket | None:
    """The customer's most recently updated ticket that is not solved or closed."""
    return (
        Ticket.objects.select_related("requester")
        .filter(requester=customer, status__in=lifecycle.ACTIVE_STATUSES)
        .order_by("-updated_at", "-id").first()
    )

