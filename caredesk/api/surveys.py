"""Satisfaction: a ticket's CSAT survey, the NPS detractors to follow up, and the Team Supervisors' reviews of
bad ratings. Customers answer through the signed links of the survey emails, not through this API."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema, Text
from caredesk.core.errors import NotFound
from caredesk.core.roles import VIEW_REPORTS, WORK_TICKETS
from caredesk.surveys import actions, queries
from caredesk.surveys.models import RatingReview
from caredesk.tickets.models import Ticket

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    ticket_id: int
    status: str = Field(description="scheduled, cancelled, skipped or sent.")
    next_due_at: datetime | None = Field(description="When the sweep sends it, while scheduled.")
    skipped_reason: str
    sent_at: datetime | None
    expires_at: datetime | None
    rating: str = Field(description='"good", "bad" or "" before an answer.')
    reason: str | None = Field(description="The reason a bad rating gave, from the team's list.")
    comment: str
    rated_at: datetime | None
    review_status: str | None = Field(description="The bad rating's review: open or done; null without one.")

    @staticmethod
    def resolve_reason(survey) -> str | None:
        return survey.reason.name if survey.reason_id else None

    @staticmethod
    def resolve_review_status(survey) -> str | None:
        return survey.review.status if hasattr(survey, "review") else None


class DetractorOut(Schema):
    nps_id: int = Field(alias="pk")
    customer_id: int
    customer: str = Field(alias="customer.name")
    ticket_id: int
    score: int
    comment: str
    answered_at: datetime


class ReviewOut(Schema):
    id: int
    ticket_id: int = Field(alias="survey.ticket_id")
    status: str
    reason: str | None
    comment: str = Field(alias="survey.comment")
    created_at: datetime
    done_at: datetime | None
    note: str

    @staticmethod
    def resolve_reason(review) -> str | None:
        return review.survey.reason.name if review.survey.reason_id else None


class FinishReviewIn(InputSchema):
    note: Text = Field(description="What the review found or did.")


@router.get("/tickets/{ticket_id}/survey", response={200: SurveyOut})
def ticket_survey(request, ticket_id: Id):
    """The ticket's CSAT survey (404 when the ticket was never solved)."""
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    survey = queries.ticket_survey(ticket.pk)
    if survey is None:
        raise NotFound(f"Ticket #{ticket.pk} has no survey: it was never solved.")
    return survey


@router.get("/surveys/nps/detractors", response=list[DetractorOut])
def nps_detractors(request, days: int = 90):
    """Customers who answered 0-6 in the last `days` days, newest first: the follow-up list SOP 000 speaks of."""
    require(request, VIEW_REPORTS)
    return list(queries.detractors(days=max(1, min(days, 3660))))


@router.get("/surveys/reviews", response=list[ReviewOut])
def rating_reviews(request, open_only: bool = True):
    """The reviews of bad ratings, open ones first."""
    require(request, VIEW_REPORTS)
    return list(queries.reviews(open_only=open_only))


@router.post("/surveys/reviews/{review_id}/finish", response=ReviewOut)
def finish_review(request, review_id: Id, payload: FinishReviewIn):
    """A Team Supervisor finishes a review with a note (422 without one, 409 when it is done already)."""
    agent = require(request, VIEW_REPORTS)
    review = lookups.get_or_404(RatingReview.objects.all(), review_id)
    actions.finish_review(review, agent=agent, note=payload.note)
    return queries.reviews(open_only=False).get(pk=review.pk)
