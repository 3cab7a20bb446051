"""Escalations (SOP 002/003): the customer's request and choice, the warm transfer, voicemail callbacks;
and an agent's presence, which decides whom the transfer rings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.lists import AgentOut
from caredesk.api.types import Id, InputSchema, LongText, ShortText
from caredesk.core import actions as agent_actions
from caredesk.core.audit import Actor
from caredesk.core.roles import WORK_TICKETS
from caredesk.escalations import actions
from caredesk.escalations.describe import describe, for_agent, with_details
from caredesk.tickets.models import Ticket

router = Router(tags=["escalations"])


class EscalationOut(Schema):
    id: int
    ticket_id: int
    status: Literal["requested", "waiting_for_update", "ringing", "discussing", "transferred", "voicemail",
                    "called_back"]
    status_label: str
    reason: str
    requested_by: str
    requested_at: datetime
    decided_at: datetime | None
    say_before_transfer: str
    rung: int | None
    rung_title: str | None
    ringing: list[str]
    answer_by: datetime | None
    seconds_left: int | None
    answered_by: str | None
    callback_role: str | None
    callback_task: str | None
    callback_task_id: int | None = Field(description="The id of the voicemail's callback follow-up task.")
    callback_due_at: datetime | None
    callback_overdue_at: datetime | None
    callback_overdue: bool
    voicemail_interaction_id: int | None
    called_back_by: str | None
    called_back_at: datetime | None


class RequestIn(InputSchema):
    reason: LongText = ""


class ChoiceIn(InputSchema):
    choice: Literal["agreed_to_wait", "refused_to_wait"]
    call_sid: ShortText = Field("", description="The customer's live call at the phone provider (Twilio CallSid): "
                                                "with CAREDESK_TRANSFER_PROVIDER=twilio the call is moved down the ladder.")


class NoteIn(InputSchema):
    note: LongText = ""


class PresenceIn(InputSchema):
    presence: Literal["available", "busy", "offline"]


def _out(escalation) -> dict:
    return describe(with_details().get(pk=escalation.pk))


def _escalation(escalation_id: int):
    return lookups.get_or_404(with_details(), escalation_id)


@router.get("/tickets/{ticket_id}/escalations", response=list[EscalationOut])
def ticket_escalations(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return [describe(escalation) for escalation in with_details().filter(ticket=ticket)]


@router.post("/tickets/{ticket_id}/escalations", response={201: EscalationOut})
def request_escalation(request, ticket_id: Id, payload: RequestIn):
    """Record that the customer asked to be escalated or to speak with leadership. Escalation is never offered:
    without this, no choice, transfer or escalation follow-up exists."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return Status(201, _out(actions.record_request(ticket, agent=agent, reason=payload.reason)))


@router.post("/escalations/{escalation_id}/choice", response=EscalationOut)
def record_choice(request, escalation_id: Id, payload: ChoiceIn):
    """The customer agrees to wait for an update within 1 business day, or refuses (the warm transfer starts)."""
    agent = require(request, WORK_TICKETS)
    escalation = _escalation(escalation_id)
    return _out(actions.record_choice(escalation, agent=agent, waits=payload.choice == "agreed_to_wait",
                                      call_sid=payload.call_sid))


@router.post("/escalations/{escalation_id}/answer", response=EscalationOut)
def answer_transfer(request, escalation_id: Id):
    agent = require(request, WORK_TICKETS)
    return _out(actions.answer(_escalation(escalation_id), agent=agent))


@router.post("/escalations/{escalation_id}/decline", response=EscalationOut)
def decline_transfer(request, escalation_id: Id, payload: NoteIn):
    agent = require(request, WORK_TICKETS)
    return _out(actions.decline(_escalation(escalation_id), agent=agent, reason=payload.note))


@router.post("/escalations/{escalation_id}/accept", response=EscalationOut)
def accept_transfer(request, escalation_id: Id):
    agent = require(request, WORK_TICKETS)
    return _out(actions.accept(_escalation(escalation_id), agent=agent))


@router.post("/escalations/{escalation_id}/callback", response=EscalationOut)
def record_callback(request, escalation_id: Id, payload: NoteIn):
    """A Resolution Lead called back the customer who left a voicemail at the end of the transfer."""
    agent = require(request, WORK_TICKETS)
    return _out(actions.record_callback(_escalation(escalation_id), agent=agent, note=payload.note))


@router.get("/escalations/mine", response=list[EscalationOut])
def my_escalations(request):
    """Transfers ringing the caller or answered by them, and voicemail callbacks for one of their roles."""
    agent = require(request, WORK_TICKETS)
    return [describe(escalation) for escalation in for_agent(agent)]


@router.put("/agents/me/presence", response=AgentOut)
def set_my_presence(request, payload: PresenceIn):
    """Available or away (busy, offline): the warm transfer only rings available agents with its skill."""
    agent = require(request, WORK_TICKETS)
    return agent_actions.set_presence(agent, payload.presence, actor=Actor.of_agent(agent))
