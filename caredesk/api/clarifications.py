"""The Care Clarifications Form (SOP 000): a ticket's entries, filing one, and the sub-categories it offers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema, LongText
from caredesk.clarifications import actions
from caredesk.clarifications.models import Clarification, SubCategory
from caredesk.core.roles import WORK_TICKETS
from caredesk.tickets.models import Ticket

router = Router(tags=["clarifications"])
CategoryKey = Literal["builder_agent_feedback", "care_clarification"]


class SubCategoryOut(Schema):
    id: int
    key: str
    name: str
    category: CategoryKey


class ClarificationOut(Schema):
    id: int
    ticket_id: int
    agent: str = Field(alias="agent.username")
    category: CategoryKey
    category_name: str = Field(alias="get_category_display")
    sub_category: str = Field(alias="sub_category.name")
    details: str
    created_at: datetime


class ClarificationIn(InputSchema):
    category: CategoryKey = Field(description="SOP 000 allows only these two categories.")
    sub_category: Id = Field(description="The id of an active sub-category of that category.")
    details: LongText


@router.get("/clarifications/sub-categories", response=list[SubCategoryOut])
def sub_categories(request):
    """The active sub-categories of the two categories, in the team's order."""
    require(request, WORK_TICKETS)
    return list(SubCategory.objects.filter(active=True))


@router.get("/tickets/{ticket_id}/clarifications", response=list[ClarificationOut])
def ticket_clarifications(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return list(Clarification.objects.filter(ticket=ticket).select_related("agent", "sub_category"))


@router.post("/tickets/{ticket_id}/clarifications", response={201: ClarificationOut})
def file_clarification(request, ticket_id: Id, payload: ClarificationIn):
    """File the form on a RESOLVED ticket: 409 with the reason on an unresolved ticket or when the ticket's
    latest customer event is a reply to a closed ticket ("this is NOT a clarification")."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    entry = actions.file_clarification(ticket, agent=agent, category=payload.category,
                                       sub_category=payload.sub_category, details=payload.details)
    return Status(201, entry)
