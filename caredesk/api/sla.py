"""Priority and SLA clocks: how a ticket's priority was reached, impact and urgency, an agent's override with
its reason, the ticket's clocks (business time left, what pauses them), the lists, and the SLA report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema, Key, LongText, PriorityName
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.core.roles import MANAGE_CUSTOMERS, VIEW_REPORTS, WORK_TICKETS
from caredesk.customers.models import Customer
from caredesk.sla import actions, queries
from caredesk.sla.models import ContractTier, Impact, Urgency
from caredesk.tickets.models import Priority, Ticket

router = Router(tags=["sla"])


class EntryOut(Schema):
    id: int
    key: str
    name: str


class PriorityOut(Schema):
    priority: PriorityName
    impact: EntryOut | None
    urgency: EntryOut | None
    overridden: bool
    override_reason: str
    how_it_was_reached: str = Field(description="The matrix cell, what raised it, an agent's override.")


class ClockOut(Schema):
    metric: Literal["first_reply", "next_reply", "periodic_update", "resolution"]
    cycle: int
    state: Literal["running", "paused", "fulfilled", "stopped"]
    target_minutes: int
    business_seconds_left: int = Field(description="Negative: over the target by that much business time.")
    due_at: datetime | None
    paused_by: str
    pausing_statuses: list[str]
    promised: bool = Field(description="Held to an update promised to the customer (SOP 002): no status pauses "
                                       "it until the next public reply.")
    started_at: datetime
    ended_at: datetime | None
    warned_at: datetime | None
    breached_at: datetime | None = Field(description="When the breach was recorded (never back-dated).")


class SlaOut(Schema):
    policy: str | None
    next_breach_at: datetime | None
    calendar: str
    priority: PriorityOut
    clocks: list[ClockOut]


class AssessIn(InputSchema):
    impact: Id = Field(description="An impact's id: GET /sla/impacts.")
    urgency: Id = Field(description="An urgency's id: GET /sla/urgencies.")


class OverrideIn(InputSchema):
    priority: PriorityName
    reason: LongText = Field(description="Required: why the matrix's priority is wrong for this ticket.")


class ContractIn(InputSchema):
    tier: Key | None = Field(description="A contract tier's key (GET /sla/contract-tiers), or null for none.")


class ContractOut(Schema):
    customer_id: int
    tier: EntryOut | None


class ReportRowOut(Schema):
    policy: str
    metric: str
    group: str
    agent: str
    achieved: int
    breached: int
    achieved_percent: float | None
    median_minutes: float | None
    p90_minutes: float | None


def _entry(row) -> dict | None:
    return None if row is None else {"id": row.pk, "key": row.key, "name": row.name}


def _out(ticket: Ticket) -> dict:
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket.pk)
    assessment = queries.priority_of(ticket)
    panel = queries.ticket_clocks(ticket)
    views = panel["clocks"] + panel["ended_clocks"]
    return {
        "policy": panel["policy"].name if panel["policy"] else None,
        "next_breach_at": panel["sla"].next_breach_at if panel["sla"] else None,
        "calendar": panel["calendar_text"],
        "priority": {
            "priority": ticket.priority_name, "impact": _entry(assessment.impact if assessment else None),
            "urgency": _entry(assessment.urgency if assessment else None),
            "overridden": bool(assessment and assessment.override), "override_reason":
                assessment.override_reason if assessment else "",
            "how_it_was_reached": queries.how_priority_was_reached(ticket, assessment),
        },
        "clocks": [{
            "metric": view.target.metric, "cycle": view.target.cycle, "state": view.state,
            "target_minutes": view.target.target_minutes, "business_seconds_left": view.remaining_seconds,
            "due_at": view.due_at, "paused_by": view.paused_by, "pausing_statuses": view.pausing,
            "promised": view.promised,
            "started_at": view.target.started_at, "ended_at": view.target.ended_at,
            "warned_at": view.target.warned_at, "breached_at": view.target.breached_at,
        } for view in sorted(views, key=lambda view: (view.target.started_at, view.target.pk))],
    }


@router.get("/tickets/{ticket_id}/sla", response=SlaOut)
def ticket_sla(request, ticket_id: Id):
    """The ticket's SLA policy, its clocks with the business time left, and how its priority was reached."""
    require(request, WORK_TICKETS)
    return _out(lookups.get_or_404(Ticket.objects.all(), ticket_id))


@router.post("/tickets/{ticket_id}/priority/assessment", response=SlaOut)
def assess(request, ticket_id: Id, payload: AssessIn):
    """Set impact and urgency: the matrix gives the priority (raised one level at most for an important
    customer or contract); the clocks recompute."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return _out(actions.assess_priority(ticket, actor=Actor.of_agent(agent), impact=payload.impact,
                                        urgency=payload.urgency))


@router.post("/tickets/{ticket_id}/priority/override", response=SlaOut)
def override(request, ticket_id: Id, payload: OverrideIn):
    """Override the priority; the reason is required and audited."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return _out(actions.override_priority(ticket, actor=Actor.of_agent(agent),
                                          priority_value=Priority.from_name(payload.priority).value,
                                          reason=payload.reason))


@router.delete("/tickets/{ticket_id}/priority/override", response=SlaOut)
def clear_override(request, ticket_id: Id):
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return _out(actions.clear_override(ticket, actor=Actor.of_agent(agent)))


@router.get("/sla/impacts", response=list[EntryOut])
def impacts(request):
    require(request, WORK_TICKETS)
    return list(Impact.objects.filter(active=True))


@router.get("/sla/urgencies", response=list[EntryOut])
def urgencies(request):
    require(request, WORK_TICKETS)
    return list(Urgency.objects.filter(active=True))


@router.get("/sla/contract-tiers", response=list[EntryOut])
def contract_tiers(request):
    require(request, WORK_TICKETS)
    return list(ContractTier.objects.filter(active=True))


@router.put("/customers/{customer_id}/contract-tier", response=ContractOut)
def set_contract_tier(request, customer_id: Id, payload: ContractIn):
    """A customer's contract tier; a tier marked `raises_priority` raises their new tickets one level."""
    agent = require(request, MANAGE_CUSTOMERS)
    customer = lookups.get_or_404(Customer.objects.all(), customer_id)
    tier = None
    if payload.tier is not None:
        tier = ContractTier.objects.filter(key=payload.tier, active=True).first()
        if tier is None:
            raise ValidationFailed(f"There is no active contract tier {payload.tier!r}.", field="tier")
    actions.set_contract_tier(customer, tier, actor=Actor.of_agent(agent))
    return {"customer_id": customer.pk, "tier": _entry(tier)}


@router.get("/sla/report", response=list[ReportRowOut])
def report(request, since: date, until: date):
    """Per policy, metric, group and agent: targets achieved and breached, median and 90th percentile
    business minutes, for targets decided from `since` to `until` (inclusive, UTC dates)."""
    require(request, VIEW_REPORTS)
    if until < since:
        raise ValidationFailed("until comes after since.", field="until")
    return [{**row.__dict__, "achieved_percent": row.achieved_percent} for row in queries.report(since, until)]
