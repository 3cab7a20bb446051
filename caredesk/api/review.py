"""Review flags (SOP 002's sensitive issues): a ticket's flags, and clearing one with a reason."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema, Text
from caredesk.core.roles import WORK_TICKETS
from caredesk.review import actions, queries
from caredesk.review.models import ReviewFlag
from caredesk.tickets.models import Ticket

router = Router(tags=["review"])


class ReviewFlagOut(Schema):
    id: int
    ticket_id: int
    qualifier: str = Field(description="The qualifier's key in the sensitive-issues file.")
    name: str = Field(alias="qualifier_name", description="The qualifier as SOP 002 names it.")
    matched: list[str] = Field(description="The words of the ticket's texts that matched, as written.")
    interaction_id: int | None = Field(description="The timeline entry whose text first matched.")
    raised_at: datetime
    open: bool = Field(alias="is_open")
    cleared_at: datetime | None
    cleared_by: str | None
    clear_reason: str

    @staticmethod
    def resolve_cleared_by(flag: ReviewFlag) -> str | None:
        return flag.cleared_by.get_username() if flag.cleared_by_id else None


class ClearIn(InputSchema):
    reason: Text = Field(description="Why the ticket needs no additional review for this qualifier.")


@router.get("/tickets/{ticket_id}/review-flags", response=list[ReviewFlagOut])
def list_review_flags(request, ticket_id: Id):
    """The ticket's review flags, open and cleared, oldest first."""
    require(request, WORK_TICKETS)
    return queries.ticket_flags(lookups.get_or_404(Ticket.objects.all(), ticket_id))


@router.post("/tickets/{ticket_id}/review-flags/{flag_id}/clear", response=ReviewFlagOut)
def clear_review_flag(request, ticket_id: Id, flag_id: Id, payload: ClearIn):
    """Clear an open flag with a reason (422 without one, 409 when it is already cleared)."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    flag = lookups.get_or_404(ReviewFlag.objects.filter(ticket=ticket), flag_id)
    return actions.clear_flag(flag, agent=agent, reason=payload.reason)
