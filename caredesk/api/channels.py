"""A ticket's outbound messages (the outbox, with delivery state) and the full original of inbound email."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Query, Router, Schema

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.pagination import page_by_id
from caredesk.api.types import Id, PageSize
from caredesk.channels import actions
from caredesk.channels.models import InboundMessage, OutboundMessage
from caredesk.core.audit import Actor
from caredesk.core.roles import MANAGE_INBOUND, WORK_TICKETS
from caredesk.tickets.models import Ticket

router = Router(tags=["channels"])


class OutboundMessageOut(Schema):
    id: int
    ticket_id: int
    interaction_id: int | None
    channel: str
    origin: str
    template: str
    to: list[str]
    subject: str
    body: str
    message_id: str | None
    in_reply_to: str
    status: str
    failure_reason: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    transport: str
    provider_status: str
    created_at: datetime


class InboundMessageOut(Schema):
    id: int
    source: str
    received_at: datetime
    envelope_sender: str | None
    size: int
    message_id: str
    status: str
    outcome: str
    automated_kind: str
    error: str
    attempts: int
    ticket_id: int | None
    interaction_id: int | None


@router.get("/tickets/{ticket_id}/outbound-messages", response=list[OutboundMessageOut])
def outbound_messages(request, ticket_id: Id):
    """What caredesk sent or will send on this ticket, oldest first, with each message's delivery state."""
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return list(OutboundMessage.objects.filter(ticket=ticket).order_by("created_at", "id"))


class InboundMessagePage(Schema):
    items: list[InboundMessageOut]
    next_cursor: str | None


class PageFilters(Schema):
    cursor: str | None = None
    limit: PageSize = 50


@router.get("/inbound-messages/quarantined", response=InboundMessagePage)
def quarantined_messages(request, filters: Query[PageFilters]):
    """Messages whose parsing failed twice (`error` says how), newest first. Admin only."""
    require(request, MANAGE_INBOUND)
    queryset = InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).defer("raw")
    items, next_cursor = page_by_id(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/inbound-messages/{inbound_id}/retry", response=InboundMessageOut)
def retry_quarantined_message(request, inbound_id: Id):
    """Process a quarantined message again; the worker's next pass takes it. Admin only; 409 unless quarantined."""
    agent = require(request, MANAGE_INBOUND)
    return actions.retry_quarantined([inbound_id], actor=Actor.of_agent(agent))[0]


@router.post("/inbound-messages/{inbound_id}/discard", response=InboundMessageOut)
def discard_quarantined_message(request, inbound_id: Id):
    """Give up on a quarantined message: it becomes `ignored`; its raw copy stays. Admin only; 409 unless
    quarantined."""
    agent = require(request, MANAGE_INBOUND)
    return actions.discard_quarantined([inbound_id], actor=Actor.of_agent(agent))[0]


@router.get("/inbound-messages/{inbound_id}", response=InboundMessageOut)
def inbound_message(request, inbound_id: Id):
    require(request, WORK_TICKETS)
    return lookups.get_or_404(InboundMessage.objects.defer("raw"), inbound_id)


@router.get("/inbound-messages/{inbound_id}/raw")
def inbound_message_raw(request, inbound_id: Id):
    """The message exactly as received (message/rfc822, as a download: never rendered in the browser); each
    download is audited (`inbound.original_downloaded`)."""
    agent = require(request, WORK_TICKETS)
    row = lookups.get_or_404(InboundMessage.objects.all(), inbound_id)
    response = HttpResponse(actions.download_original(row, agent=agent, via="api"), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{row.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
