"""CSAT surveys on the database: scheduled when a ticket is solved, cancelled when it is reopened, sent by the
sweep through the outbox once due (and only once), skipped with the reason an exclusion gives; answers only
from a submitted form, changeable until the link expires; a bad rating opens a supervisor's review; NPS at
most once a period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.channels.models import OutboundMessage
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.surveys import actions, links
from caredesk.surveys.models import BadRatingReason, NpsSurvey, RatingReview, Survey, SurveyPolicy
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Status
from tests.integration.helpers import events_of


@pytest.fixture
def solved(ticket, actor, frozen_clock):
    update_ticket(ticket, actor=actor, status=Status.SOLVED)
    ticket.refresh_from_db()
    return ticket


def sent_survey(solved) -> Survey:
    clock.advance(timedelta(hours=24))
    assert actions.send_due() == 1
    return Survey.objects.get(ticket=solved)


def test_solving_schedules_the_survey_for_the_policy_delay(solved):
    survey = Survey.objects.get(ticket=solved)
    assert survey.status == "scheduled" and survey.next_due_at == solved.solved_at + timedelta(hours=24)
    assert [event.action for event in events_of(solved, action__startswith="survey.")] == ["survey.scheduled"]


def test_nothing_goes_out_before_the_delay_then_one_email_through_the_outbox(solved):
    clock.advance(timedelta(hours=23, minutes=59))
    assert actions.send_due() == 0 and not OutboundMessage.objects.filter(template="csat_survey").exists()
    survey = sent_survey(solved)
    email = OutboundMessage.objects.get(template="csat_survey")
    assert (email.origin, email.to, email.status, email.automatic) == ("survey", ["dana@example.com"], "queued", True)
    assert links.url(links.CSAT, survey.pk, "good") in email.body and links.url(links.CSAT, survey.pk, "bad") in email.body
    assert survey.expires_at == clock.now() + timedelta(days=28) and survey.next_due_at is None
    assert actions.send_due() == 0  # sent once
    assert not any(survey.rating for survey in Survey.objects.all())  # sending records no answer


def test_reopened_before_the_delay_cancels_then_solved_again_reschedules(solved, actor):
    update_ticket(solved, actor=actor, status=Status.OPEN)
    assert Survey.objects.get(ticket=solved).status == "cancelled"
    clock.advance(timedelta(days=2))
    assert actions.send_due() == 0
    update_ticket(solved, actor=actor, status=Status.SOLVED)
    assert Survey.objects.get(ticket=solved).next_due_at == clock.now() + timedelta(hours=24)


@pytest.mark.parametrize("setup, reason", [
    ("automated", "is an automated address"),
    ("bounced", "bounced"),
    ("no_email", "has no email address"),
])
def test_exclusions_skip_with_the_reason(solved, actor, setup, reason):
    from caredesk.channels import actions as channel_actions
    from caredesk.customers import actions as customer_actions

    customer = solved.requester
    if setup == "automated":
        customer_actions.remove_contact_point(customer, actor=actor, value="dana@example.com")
        customer_actions.add_contact_points(customer, actor=actor, emails=["no-reply@example.com"])
    elif setup == "bounced":
        row = channel_actions.queue_message(ticket=solved, actor=actor, channel="email", origin="agent_reply",
                                            idempotency_key="earlier", to=["dana@example.com"], subject="Hi")
        channel_actions.mark_attempt_failed(row, "550 no such user", permanent=True)
    else:
        customer_actions.remove_contact_point(customer, actor=actor, value="dana@example.com")
    clock.advance(timedelta(hours=24))
    actions.send_due()
    survey = Survey.objects.get(ticket=solved)
    assert survey.status == "skipped" and reason in survey.skipped_reason
    assert not OutboundMessage.objects.filter(template="csat_survey").exists()


def test_a_ticket_closed_as_unresponsive_gets_no_survey(db):
    from pathlib import Path

    from caredesk.playbooks.simulate import load_scenario, run_scenario

    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / "general_inquiry_email_only_unresponsive.yaml")
    run_scenario(scenario)
    survey = Survey.objects.get()
    with clock.frozen_at(survey.next_due_at):
        actions.send_due()
    survey.refresh_from_db()
    assert survey.status == "skipped" and "unresponsive closed" in survey.skipped_reason


def test_a_rating_is_recorded_once_and_changed_until_it_expires(solved):
    survey = sent_survey(solved)
    actions.record_rating(survey, rating="good", comment="Quick and kind.")
    reason = BadRatingReason.objects.get(key="took_too_long")
    with pytest.raises(ValidationFailed) as refused:
        actions.record_rating(survey, rating="bad")
    assert refused.value.field == "reason"
    survey = actions.record_rating(survey, rating="bad", reason=reason.pk, comment="Actually it took a week.")
    assert Survey.objects.filter(ticket=solved).count() == 1 and survey.rating == "bad"
    rated = events_of(solved, action="survey.rated")
    assert [(event.after["rating"], event.after["changed"]) for event in rated] == [("good", False), ("bad", True)]
    review = RatingReview.objects.get(survey=survey)
    assert review.status == "open"
    from caredesk.analytics import reports

    listed = reports.rating_reviews(reports.filters())
    assert [row[1:] for row in listed.rows] == [[solved.pk, "(unassigned)", "It took too long", survey.comment]]
    clock.advance(timedelta(days=28))
    with pytest.raises(actions.LinkExpired):
        actions.record_rating(survey, rating="good")
    assert Survey.objects.get(pk=survey.pk).rating == "bad"


def test_a_supervisor_finishes_the_review(solved, make_agent):
    from caredesk.core import roles

    survey = sent_survey(solved)
    actions.record_rating(survey, rating="bad", reason=BadRatingReason.objects.get(key="other").pk)
    supervisor = make_agent("tess", roles.TEAM_SUPERVISOR)
    review = actions.finish_review(RatingReview.objects.get(), agent=supervisor, note="Called the customer.")
    assert review.status == "done" and events_of(solved, action="survey.review_done")


def test_nps_is_asked_at_most_once_a_period(solved, actor, customer):
    from caredesk.tickets.actions import create_ticket

    sent_survey(solved)
    nps = NpsSurvey.objects.get()
    second = create_ticket(actor=actor, requester=customer, subject="Another question")
    update_ticket(second, actor=actor, status=Status.SOLVED)
    clock.advance(timedelta(hours=24))
    actions.send_due()
    assert NpsSurvey.objects.count() == 1  # within 90 days: asked once
    actions.record_nps(nps, score=3, comment="Too slow")
    with pytest.raises(ValidationFailed):
        actions.record_nps(nps, score=11)
    assert NpsSurvey.objects.get().group_name == "detractor"
