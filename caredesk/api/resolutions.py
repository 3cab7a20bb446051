"""Resolutions (SOP 004 "Close the Ticket and Document Resolution"), their confirmation with the customer, and
feedback shared with other teams. Solving through `PATCH /tickets/{id}` obeys the same rule: an agent's solve
without the resolution fields the team requires is a 422 on `status`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Router, Schema, Status
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.pagination import page_by_id
from caredesk.api.types import Day, Id, InputSchema, Key, LongText, PageSize, ShortText
from caredesk.core.audit import Actor
from caredesk.core.errors import NotFound
from caredesk.core.roles import VIEW_REPORTS, WORK_TICKETS
from caredesk.resolutions import actions, export, queries, rules
from caredesk.resolutions.models import Feedback, FeedbackTeam, Resolution, ResolutionCode, RootCause
from caredesk.tickets.models import Ticket

router = Router(tags=["resolutions"])
ConfirmedBy = Literal["phone", "email", "sms", "chat"]
Weeks = Annotated[int, Field(ge=1, le=104)]
ConfirmationState = Literal["not_required", "awaited", "sent", "confirmed", "not_fixed"]


class EntryOut(Schema):
    key: str
    name: str


class ResolutionListsOut(Schema):
    root_causes: list[EntryOut]
    resolution_codes: list[EntryOut]
    feedback_teams: list[EntryOut]
    required_fields: list[str] = Field(description="What an agent must give to solve a ticket of this type.")
    confirmation_required: bool


class ArticleRefOut(Schema):
    id: int
    title: str


class ResolutionOut(Schema):
    id: int
    ticket_id: int
    root_cause: EntryOut | None
    resolution_code: EntryOut | None
    summary: str
    article: ArticleRefOut | None = Field(description="The knowledge-base article it reuses.")
    knowledge_base_reference: str
    linked_ticket_id: int | None
    recorded_by: str
    recorded_at: datetime
    current: bool = Field(description="False once the ticket was reopened.")
    confirmation: ConfirmationState
    confirmation_channel: str
    confirmation_sent_at: datetime | None
    confirmed_at: datetime | None

    @staticmethod
    def resolve_recorded_by(resolution: Resolution) -> str:
        return resolution.recorded_by_name


class ResolutionIn(InputSchema):
    root_cause: Key = Field("", description="A root cause's key: GET /resolution-lists.")
    resolution_code: Key = Field("", description="A resolution code's key.")
    summary: LongText = ""
    article: Id | None = Field(None, description="A published article of the knowledge base it reuses (its id).")
    knowledge_base_reference: ShortText = Field("", description="Another knowledge-base article it reuses (an "
                                                                "address or a reference).")
    linked_ticket: Id | None = Field(None, description="An earlier ticket whose resolution it reuses.")
    solve: bool = Field(True, description="Solve the ticket with it (false: record it only).")
    confirmation: Literal["send", "confirmed", "later", ""] = Field("", description=(
        "send: a confirmation message on the customer's preferred channel; confirmed: the customer confirmed "
        "already (say how in confirmed_by); later: the agent will confirm. Empty: later for a customer who "
        "prefers the phone (the agent calls them) or who cannot get a message, send otherwise."))
    confirmed_by: Literal["", "phone", "email", "sms", "chat"] = ""


class ConfirmationIn(InputSchema):
    confirmed_by: ConfirmedBy
    note: LongText = ""


class FeedbackIn(InputSchema):
    team: Key = Field(..., description="A feedback team's key: GET /resolution-lists.")
    body: LongText = Field("", description="A new internal note with the feedback...")
    note: Id | None = Field(None, description="...or an internal note of the ticket, by its interaction id.")


class FeedbackOut(Schema):
    id: int
    ticket_id: int
    team: EntryOut
    note_id: int
    body: str
    shared_by: str
    shared_at: datetime

    @staticmethod
    def resolve_body(feedback: Feedback) -> str:
        return feedback.note.body

    @staticmethod
    def resolve_shared_by(feedback: Feedback) -> str:
        return feedback.shared_by.get_username() if feedback.shared_by_id else ""


class WeeklyCountOut(Schema):
    week: Day
    root_cause: str
    count: int


class ResolutionPage(Schema):
    items: list[ResolutionOut]
    next_cursor: str | None


def _ticket(ticket_id: int) -> Ticket:
    return lookups.get_or_404(Ticket.objects.select_related("requester"), ticket_id)


def _team(key: str) -> FeedbackTeam:
    team = FeedbackTeam.objects.filter(key=key).first()
    if team is None:
        raise NotFound(f"There is no feedback team {key!r}.", field="team")
    return team


@router.get("/resolution-lists", response=ResolutionListsOut)
def resolution_lists(request, ticket_type: Key = ""):
    """The root causes, resolution codes and feedback teams the team edits, and the resolution rule, for a
    ticket type (by key; empty: the rule for every type)."""
    require(request, WORK_TICKETS)
    ticket = Ticket(ticket_type=lookups.entry("ticket_type", ticket_type) if ticket_type else None)
    rule = queries.rule_for(ticket)
    return {"root_causes": list(queries.entries_for(RootCause, ticket.ticket_type_id)),
            "resolution_codes": list(queries.entries_for(ResolutionCode, ticket.ticket_type_id)),
            "feedback_teams": list(FeedbackTeam.objects.filter(active=True)),
            "required_fields": [name for name in rules.REQUIRABLE_FIELDS if name in rule.required_fields],
            "confirmation_required": rule.confirmation_required}


@router.get("/tickets/{ticket_id}/resolution", response={200: ResolutionOut, 204: None})
def ticket_resolution(request, ticket_id: Id):
    """The ticket's current resolution; 204 when it has none."""
    require(request, WORK_TICKETS)
    resolution = queries.current_resolution(_ticket(ticket_id))
    return Status(204, None) if resolution is None else resolution


@router.post("/tickets/{ticket_id}/resolution", response={201: ResolutionOut})
def solve(request, ticket_id: Id, payload: ResolutionIn):
    """Record the resolution and solve the ticket (SOP 004). The fields the team requires are checked: a 422
    names the first one missing. With the confirmation step on for the ticket's type, the customer's
    confirmation is recorded, asked by a message through the outbox, or left to the agent; the ticket does not
    auto-close until it is settled."""
    agent = require(request, WORK_TICKETS)
    data = payload.dict()
    solve_it = data.pop("solve")
    resolution = actions.solve(_ticket(ticket_id), actor=Actor.of_agent(agent),
                               resolution=actions.NewResolution(**data), solve=solve_it)
    return Status(201, queries.current_resolution(resolution.ticket))


@router.post("/tickets/{ticket_id}/resolution/confirmation", response=ResolutionOut)
def record_confirmation(request, ticket_id: Id, payload: ConfirmationIn):
    """The customer confirmed the resolution to the agent (how: phone, email, sms, chat)."""
    agent = require(request, WORK_TICKETS)
    ticket = _ticket(ticket_id)
    actions.record_confirmation(ticket, actor=Actor.of_agent(agent), confirmed_by=payload.confirmed_by,
                                note=payload.note)
    return queries.current_resolution(ticket)


@router.post("/tickets/{ticket_id}/resolution/confirmation-message", response=ResolutionOut)
def send_confirmation(request, ticket_id: Id):
    """Ask the customer, on their preferred channel, whether the problem is resolved; the message's link
    "still not fixed" reopens the ticket."""
    agent = require(request, WORK_TICKETS)
    ticket = _ticket(ticket_id)
    actions.send_confirmation(ticket, actor=Actor.of_agent(agent))
    return queries.current_resolution(ticket)


@router.post("/tickets/{ticket_id}/feedback", response={201: FeedbackOut})
def share_feedback(request, ticket_id: Id, payload: FeedbackIn):
    """Share an internal note (a new one, or one of the ticket's) as feedback for another team."""
    agent = require(request, WORK_TICKETS)
    feedback = actions.share_feedback(_ticket(ticket_id), actor=Actor.of_agent(agent), team=payload.team,
                                      body=payload.body, note=payload.note)
    return Status(201, feedback)


@router.get("/feedback-teams/{team}/feedback", response=list[FeedbackOut])
def team_feedback(request, team: Key):
    """The feedback a team received, newest first (the latest 100)."""
    require(request, WORK_TICKETS)
    return queries.team_feedback(_team(team))


@router.get("/feedback-teams/{team}/weekly", response=list[WeeklyCountOut])
def team_weekly(request, team: Key, weeks: Weeks = 8):
    """How much feedback the team received each week of the last `weeks` (this one included), by the root
    cause of its ticket's resolution."""
    require(request, WORK_TICKETS)
    return queries.weekly_counts(_team(team), since=queries.weeks_ago(weeks))


@router.get("/resolutions", response=ResolutionPage)
def search_resolutions(request, q: ShortText = "", root_cause: Key = "", agent: Key = "",
                       confirmation: Literal["", "not_required", "awaited", "sent", "confirmed", "not_fixed"] = "",
                       cursor: str | None = None,
                       limit: PageSize = 50):
    """Resolutions, newest first: their summary, reference or article title contains `q`, by root cause, agent
    and the state of the confirmation (`awaited`: the current resolutions whose confirmation agents still owe;
    `not_fixed`: those the customer said did not fix the problem)."""
    require(request, WORK_TICKETS)
    rows, next_cursor = page_by_id(queries.search_resolutions(text=q, root_cause=root_cause, agent=agent,
                                                              confirmation=confirmation),
                                   cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/resolutions/export.csv", response={200: None})
def export_resolutions(request, since: Day | None = None, until: Day | None = None):
    """CSV: resolutions counted by week (its Monday), root cause, resolution code and agent, with how many the
    customer confirmed and how many they said were still not fixed; `until` is exclusive."""
    require(request, VIEW_REPORTS)
    return export.csv_response(since=since, until=until)
