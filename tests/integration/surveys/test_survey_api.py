"""The surveys API: a ticket's survey, the reviews of bad ratings and the NPS detractors, with role checks and
problem+json errors."""

from __future__ import annotations

from datetime import timedelta

from caredesk.core import clock, roles
from caredesk.surveys import actions
from caredesk.surveys.models import BadRatingReason, NpsSurvey, RatingReview, Survey
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Status
from tests.integration.helpers import assert_problem, post_json


def test_survey_reviews_and_detractors(api, api_client_for, make_agent, ticket, actor, frozen_clock):
    assert_problem(api.get(f"/api/v1/tickets/{ticket.pk}/survey"), 404)
    update_ticket(ticket, actor=actor, status=Status.SOLVED)
    assert api.get(f"/api/v1/tickets/{ticket.pk}/survey").json()["status"] == "scheduled"
    clock.advance(timedelta(hours=24))
    actions.send_due()
    survey = Survey.objects.get()
    actions.record_rating(survey, rating="bad", reason=BadRatingReason.objects.get(key="not_resolved").pk,
                          comment="Still broken.")
    actions.record_nps(NpsSurvey.objects.get(), score=2, comment="No.")
    shown = api.get(f"/api/v1/tickets/{ticket.pk}/survey").json()
    assert (shown["rating"], shown["reason"], shown["review_status"]) == ("bad", "My issue was not resolved", "open")
    assert api.get("/api/v1/surveys/reviews").status_code == 403  # an Agent
    supervisor = api_client_for(make_agent("tess", roles.TEAM_SUPERVISOR))
    reviews = supervisor.get("/api/v1/surveys/reviews").json()
    assert [(review["ticket_id"], review["comment"]) for review in reviews] == [(ticket.pk, "Still broken.")]
    review = RatingReview.objects.get()
    assert_problem(post_json(supervisor, f"/api/v1/surveys/reviews/{review.pk}/finish", {}), 422, "note")
    done = post_json(supervisor, f"/api/v1/surveys/reviews/{review.pk}/finish", {"note": "Fixed on a call."})
    assert done.json()["status"] == "done"
    assert_problem(post_json(supervisor, f"/api/v1/surveys/reviews/{review.pk}/finish", {"note": "Again"}), 409)
    detractors = supervisor.get("/api/v1/surveys/nps/detractors").json()
    assert [(entry["customer"], entry["score"]) for entry in detractors] == [("Dana Whitfield", 2)]
