"""Tickets, their timeline (interactions), supporting documents and audit events."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import FileResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, model_validator

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.customers import AuditEventOut, EntryOut, PreferredChannel, audit_events_out
from caredesk.api.pagination import page_by_id
from caredesk.api.review import ReviewFlagOut
from caredesk.api.types import Id, InputSchema, Instant, Key, LongText, PageSize, PriorityName, ShortText
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.core.roles import MANAGE_CUSTOMERS, VIEW_AUDIT, WORK_TICKETS
from caredesk.review import queries as review_queries
from caredesk.tickets import actions, queries, use_cases
from caredesk.tickets.models import Attachment, Interaction, Priority, Ticket, TicketEvent

router = Router(tags=["tickets"])

StatusName = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
ChannelName = Literal["email", "phone", "sms", "voicemail", "chat", "web", "internal"]
CallOutcomeName = Literal[
    "answered", "no_answer", "busy", "failed", "canceled", "missed", "abandoned", "voicemail_left"
]


class NewRequester(InputSchema):
    name: ShortText
    emails: list[ShortText] = Field(default_factory=list, max_length=20)
    phones: list[ShortText] = Field(default_factory=list, max_length=20)


class TicketIn(InputSchema):
    subject: ShortText
    description: LongText = Field(description="What the customer needs (SOP 004); required, not blank.")
    requester_id: Id | None = Field(None, description="An existing customer, with an email or a phone.")
    requester: NewRequester | None = Field(
        None, description="Or a new customer, created with the ticket; with at least one email or phone."
    )
    order_id: Id | None = None
    ticket_type: Key | None = None
    category: Key | None = None
    tags: list[Key] = Field(default_factory=list, max_length=50)
    priority: PriorityName = "medium"
    status: Literal["new", "open", "pending", "on_hold"] = "new"
    group: Key | None = None
    assignee: ShortText | None = Field(None, description="The assignee's username.")
    channel: ChannelName = "web"

    @model_validator(mode="after")
    def one_requester(self):
        if (self.requester_id is None) == (self.requester is None):
            raise ValueError("give exactly one of requester_id or requester")
        return self


class TicketPatch(InputSchema):
    subject: ShortText | None = None
    description: LongText | None = None
    order_id: Id | None = None
    ticket_type: Key | None = None
    category: Key | None = None
    tags: list[Key] | None = Field(None, max_length=50)
    priority: PriorityName | None = None
    status: StatusName | None = None
    group: Key | None = None
    assignee: ShortText | None = None


class PersonOut(Schema):
    id: int
    name: str


class AgentRefOut(Schema):
    id: int
    username: str
    name: str = Field(alias="display_name")


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    description: str
    requester: PersonOut
    order_id: int | None
    ticket_type: EntryOut | None
    category: EntryOut | None
    tags: list[str]
    priority: str = Field(alias="priority_name")
    status: str
    group: EntryOut | None
    assignee: AgentRefOut | None
    channel: str
    follows_up_id: int | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_tags(ticket: Ticket) -> list[str]:
        return [tag.name for tag in ticket.tags.all()]


class TicketDetailOut(TicketOut):
    review_flags: list[ReviewFlagOut] = Field(
        description="Open flags \"additional review\": sensitive issues (SOP 002) found in the ticket's texts."
    )
    preferred_channel: PreferredChannel = Field(description=(
        "The requester's preferred communication channel (SOP 004), empty when they have none: the workspace's "
        "composer opens on it and the resolution's confirmation message goes on it."))

    @staticmethod
    def resolve_preferred_channel(ticket: Ticket) -> str:
        return ticket.requester.preferred_channel

    @staticmethod
    def resolve_review_flags(ticket: Ticket):
        return review_queries.open_flags(ticket)


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketFilters(Schema):
    status: list[StatusName] | None = None
    ticket_type: Key | None = Field(None, alias="type")
    group: Key | None = None
    assignee: ShortText | None = Field(None, description="A username, 'me', or 'none' for unassigned.")
    requester_id: Id | None = Field(None, alias="requester")
    tag: Key | None = None
    priority: PriorityName | None = None
    updated_since: Instant | None = None
    needs_review: bool | None = Field(
        None, description="true: only tickets with an open flag \"additional review\"; false: only without."
    )
    cursor: str | None = None
    limit: PageSize = 50


class CallNotesIn(InputSchema):
    caller_name: ShortText = ""
    call_type: ShortText = ""
    customer_type: ShortText = ""
    reason_for_call: LongText = ""
    actions_taken: LongText = ""


class InteractionIn(InputSchema):
    type: Literal["reply", "note", "call", "sms", "customer_message"] = Field(
        description="reply: public reply; note: internal note; call: a logged call; sms: a logged text; "
        "customer_message: a message the customer sent by another route (email, chat), logged by an agent."
    )
    body: LongText = ""
    channel: Literal["email", "chat", "web"] = "email"
    direction: Literal["inbound", "outbound"] = "outbound"
    call_outcome: CallOutcomeName | None = None
    call_notes: CallNotesIn | None = None
    occurred_at: Instant | None = None
    then_status: Literal["open", "pending", "on_hold", "solved"] | None = Field(
        None, description="Then set the ticket's status, in the same change (not with customer_message)."
    )


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    interaction_id: int | None
    created_at: datetime


class CallNotesOut(Schema):
    caller_name: str
    call_type: str
    customer_type: str = Field(alias="call_customer_type")
    reason_for_call: str
    actions_taken: str


class InteractionOut(Schema):
    id: int
    ticket_id: int
    channel: str
    direction: str
    kind: str
    call_outcome: str
    body: str
    public: bool = Field(alias="is_public")
    author: str = Field(alias="author_name")
    author_agent_id: int | None
    author_customer_id: int | None
    occurred_at: datetime
    call_notes: CallNotesOut | None
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_call_notes(interaction: Interaction):
        return interaction if interaction.kind == Interaction.Kind.CALL else None

    @staticmethod
    def resolve_attachments(interaction: Interaction):
        return list(interaction.attachments.all())


def _ticket_or_404(ticket_id: int) -> Ticket:
    return lookups.get_or_404(queries.tickets_for_display(), ticket_id)


def _resolved_fields(data: dict, ticket: Ticket | None = None) -> dict:
    """API keys and usernames turned into rows, with field-named errors."""
    for field in ("ticket_type", "category", "group"):
        if field in data:
            data[field] = lookups.entry(field, data[field])
    if "assignee" in data:
        data["assignee"] = lookups.agent(data["assignee"])
    if "order_id" in data:
        data["order"] = lookups.order(data.pop("order_id"))
    if "priority" in data and data["priority"] is not None:
        data["priority"] = Priority.from_name(data["priority"])
    for field in ("subject", "description", "priority", "status", "tags"):
        if field in data and data[field] is None:
            del data[field]
    return data


@router.post("/tickets", response={201: TicketOut})
def create_ticket(request, payload: TicketIn):
    agent = require(request, WORK_TICKETS)
    data = _resolved_fields(payload.dict(exclude={"requester", "requester_id"}))
    if payload.requester is None:
        requester = lookups.customer(payload.requester_id)
    else:
        require(request, MANAGE_CUSTOMERS)
        requester = use_cases.NewRequester(**payload.requester.dict())
    ticket = use_cases.open_ticket(actor=Actor.of_agent(agent), requester=requester, **data)
    return Status(201, ticket)  # its related rows are the ones just passed in or written: nothing to read back


@router.get("/tickets", response=TicketPage)
def list_tickets(request, filters: Query[TicketFilters]):
    agent = require(request, WORK_TICKETS)
    assignee = filters.assignee
    queryset = queries.filter_tickets(
        queries.tickets_for_display(),
        statuses=filters.status,
        ticket_type=lookups.entry("ticket_type", filters.ticket_type),
        group=lookups.entry("group", filters.group),
        assignee=agent if assignee == "me" else ("none" if assignee == "none" else lookups.agent(assignee)),
        requester_id=filters.requester_id,
        tag=filters.tag,
        priority=Priority.from_name(filters.priority) if filters.priority else None,
        updated_since=filters.updated_since,
    )
    if filters.needs_review is not None:
        flagged = review_queries.needing_review()
        queryset = queryset.filter(id__in=flagged) if filters.needs_review else queryset.exclude(id__in=flagged)
    items, next_cursor = page_by_id(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/tickets/{ticket_id}", response=TicketDetailOut)
def get_ticket(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    return _ticket_or_404(ticket_id)


@router.patch("/tickets/{ticket_id}", response=TicketOut)
def update_ticket(request, ticket_id: Id, payload: TicketPatch):
    agent = require(request, WORK_TICKETS)
    ticket = _ticket_or_404(ticket_id)
    actions.update_ticket(ticket, actor=Actor.of_agent(agent), **_resolved_fields(payload.dict(exclude_unset=True)))
    return _ticket_or_404(ticket_id)


@router.post("/tickets/{ticket_id}/interactions", response={201: InteractionOut})
def add_interaction(request, ticket_id: Id, payload: InteractionIn):
    actor = Actor.of_agent(require(request, WORK_TICKETS))
    ticket = _ticket_or_404(ticket_id)
    if payload.type != "call":
        for name in ("call_outcome", "call_notes"):
            if getattr(payload, name) is not None:
                raise ValidationFailed(f"Only a logged call has {name.replace('_', ' ')}.", field=name)
    if payload.type == "customer_message" and payload.then_status:
        raise ValidationFailed("A customer's message sets no status; change it afterwards.", field="then_status")
    then_status = payload.then_status or ""
    if payload.type == "reply":
        interaction = use_cases.reply(ticket, actor=actor, body=payload.body, channel=payload.channel,
                                      occurred_at=payload.occurred_at, then_status=then_status)
    elif payload.type == "note":
        interaction = use_cases.add_note(ticket, actor=actor, body=payload.body, occurred_at=payload.occurred_at,
                                         then_status=then_status)
    elif payload.type == "call":
        interaction = use_cases.log_call(
            ticket, actor=actor, direction=payload.direction, outcome=payload.call_outcome or "",
            call_notes=payload.call_notes.dict() if payload.call_notes else None, body=payload.body,
            occurred_at=payload.occurred_at, then_status=then_status,
        )
    elif payload.type == "sms":
        interaction = use_cases.log_text(ticket, actor=actor, direction=payload.direction, body=payload.body,
                                         occurred_at=payload.occurred_at, then_status=then_status)
    else:  # one about a closed ticket lands on a new follow-up ticket
        interaction = use_cases.log_customer_message(ticket, actor=actor, channel=payload.channel,
                                                     body=payload.body, occurred_at=payload.occurred_at)
    return Status(201, queries.timeline(interaction.ticket).get(pk=interaction.pk))


@router.get("/tickets/{ticket_id}/timeline", response=list[InteractionOut])
def timeline(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    return list(queries.timeline(_ticket_or_404(ticket_id)))


class RedactionIn(InputSchema):
    text: LongText = Field(description="The text to take out (4 characters or more), matched in any case.")


class RedactionOut(Schema):
    subject: int = Field(description="How many times the text was in the ticket's subject.")
    description: int = Field(description="How many times the text was in the ticket's description.")
    interactions: dict[int, int] = Field(description="Each timeline entry that had it: how many times.")
    records: dict[str, int] = Field(description=(
        "The other copies that had it, by kind, and how many times: \"the emails as received\", \"the outbox\", "
        "\"the ticket's history\", \"cases\", \"escalations\", \"resolutions\", \"clarifications\", "
        "\"satisfaction surveys\", \"NPS surveys\", \"rating reviews\", \"notifications\"."))


@router.post("/tickets/{ticket_id}/redact", response=RedactionOut)
def redact(request, ticket_id: Id, payload: RedactionIn):
    """Replace a text (a card number, a password) by "[redacted]" wherever the ticket keeps it: its subject,
    description and timeline, the emails as received, the outbox, its cases, escalations, resolutions,
    clarifications and surveys, and the values its history quotes; closed tickets too. It is then no longer
    found by search. 422 (field `text`) when the ticket does not have it."""
    actor = Actor.of_agent(require(request, WORK_TICKETS))
    return actions.redact(_ticket_or_404(ticket_id), actor=actor, text=payload.text)


@router.get("/tickets/{ticket_id}/events", response=list[AuditEventOut])
def ticket_events(request, ticket_id: Id):
    require(request, VIEW_AUDIT)
    ticket = _ticket_or_404(ticket_id)
    return audit_events_out(TicketEvent.objects.filter(ticket=ticket).order_by("at", "id"))


@router.post("/tickets/{ticket_id}/attachments", response={201: AttachmentOut})
def upload_attachment(request, ticket_id: Id, file: File[UploadedFile]):
    agent = require(request, WORK_TICKETS)
    ticket = _ticket_or_404(ticket_id)
    attachment = actions.add_supporting_document(
        ticket, actor=Actor.of_agent(agent),
        attachment=actions.NewAttachment(file.name or "attachment", file.content_type or "", file.read()),
    )
    return Status(201, attachment)


@router.get("/tickets/{ticket_id}/attachments", response=list[AttachmentOut])
def list_attachments(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    return list(Attachment.objects.filter(ticket=_ticket_or_404(ticket_id)))


@router.delete("/attachments/{attachment_id}", response={204: None})
def remove_attachment(request, attachment_id: Id):
    """Remove a document (a photo of a card, a wrong file), closed tickets too: its file is deleted and no
    route, page or message offers it again; the ticket's history records "attachment.removed". 404 when it
    is not there (or removed already)."""
    agent = require(request, WORK_TICKETS)
    actions.remove_attachment(lookups.get_or_404(Attachment.objects.all(), attachment_id),
                              actor=Actor.of_agent(agent))
    return Status(204, None)


@router.get("/attachments/{attachment_id}/content")
def download_attachment(request, attachment_id: Id):
    require(request, WORK_TICKETS)
    attachment = lookups.get_or_404(Attachment.objects.all(), attachment_id)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
