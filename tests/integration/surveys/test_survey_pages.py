"""The pages a survey email links to, through Django's test client: opening records nothing, submitting
records, a bad answer shows the error beside its field, a changed or expired link gets a clear page; the NPS
page the same way; and the ticket page's Satisfaction panel for agents and supervisors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.core import clock, roles
from caredesk.surveys import actions, links
from caredesk.surveys.models import NpsSurvey, RatingReview, Survey
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Status
from tests.integration.helpers import record_resolution


@pytest.fixture
def sent(ticket, actor, frozen_clock):
    record_resolution(ticket, actor)
    update_ticket(ticket, actor=actor, status=Status.SOLVED)
    clock.advance(timedelta(hours=24))
    actions.send_due()
    return Survey.objects.get(ticket=ticket)


def path(kind, survey_id, answer) -> str:
    return f"/survey/{links.token(kind, survey_id, answer)}/"


def test_opening_shows_the_clicked_rating_and_records_nothing(client, sent):
    page = client.get(path(links.CSAT, sent.pk, "bad"))
    assert page.status_code == 200
    checked = [field.data["value"] for field in page.context["form"]["rating"] if field.data["selected"]]
    assert checked == ["bad"]
    assert Survey.objects.get(pk=sent.pk).rating == ""


def test_a_bad_answer_without_a_reason_is_shown_beside_the_field(client, sent):
    page = client.post(path(links.CSAT, sent.pk, "bad"), {"rating": "bad", "comment": "Slow"})
    assert page.status_code == 422 and b"choose a reason" in page.content
    assert Survey.objects.get(pk=sent.pk).rating == ""


def test_changed_and_expired_links_get_a_clear_page(client, sent):
    token = links.token(links.CSAT, sent.pk, "good")
    assert client.get(f"/survey/{token[:-2]}xy/").status_code == 404
    clock.advance(timedelta(days=28))
    page = client.post(f"/survey/{token}/", {"rating": "good"})
    assert page.status_code == 410 and b"This survey has closed" in page.content
    assert Survey.objects.get(pk=sent.pk).rating == ""


def test_the_nps_page_records_only_the_submitted_score(client, sent):
    nps = NpsSurvey.objects.get()
    assert client.get(path(links.NPS, nps.pk, 9)).status_code == 200
    assert NpsSurvey.objects.get().score is None
    assert client.post(path(links.NPS, nps.pk, 9), {"score": "11"}).status_code == 422
    page = client.post(path(links.NPS, nps.pk, 9), {"score": "9", "comment": "Great"})
    assert page.status_code == 200 and NpsSurvey.objects.get().score == 9


def test_the_panel_shows_the_rating_and_only_supervisors_finish_reviews(client, sent, agent, make_agent):
    from caredesk.surveys.models import BadRatingReason

    actions.record_rating(sent, rating="bad", reason=BadRatingReason.objects.get(key="other").pk, comment="Meh")
    review = RatingReview.objects.get()
    client.force_login(agent)
    page = client.get(f"/tickets/{sent.ticket_id}/satisfaction/")
    assert b"CSAT BAD" in page.content and b"Finish the review" not in page.content
    finish = f"/tickets/{sent.ticket_id}/rating-reviews/{review.pk}/finish/"
    assert client.post(finish, {"note": "Called"}).status_code == 403
    client.force_login(make_agent("tess", roles.TEAM_SUPERVISOR))
    assert client.post(finish, {"note": ""}).status_code == 422
    assert client.post(finish, {"note": "Called back"}).status_code == 200
    assert RatingReview.objects.get().status == "done"
