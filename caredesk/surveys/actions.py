"""The only writers of surveys, NPS answers and bad-rating reviews, each with a TicketEvent on the ticket.

A ticket solved schedules its CSAT survey (`schedule_surveys`, from the tickets' `ticket_changed` signal) for
the policy's delay later; reopened before then, the survey is cancelled (`cancel_surveys`), and solved again it
is scheduled again. The worker's sweep (`send_due`) claims the due surveys over the indexed `next_due_at`:
each is skipped with the reason an exclusion gives (caredesk.surveys.rules) or emailed through the outbox in
the same transaction, with the NPS question when the customer was not asked within the period. Only a
submitted form records an answer (`record_rating`, `record_nps`); a second one changes it until it expires.
Event kinds: survey.scheduled, survey.cancelled, survey.skipped, survey.sent, survey.rated,
survey.review_opened, survey.review_done, nps.sent, nps.answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from caredesk.channels.models import InboundMessage, OutboundMessage
from caredesk.channels.outbox import queue_template_message, reply_address
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.playbooks.models import PlaybookRun
from caredesk.surveys import links, rules
from caredesk.surveys.defaults import CSAT_TEMPLATE, NPS_TEMPLATE
from caredesk.surveys.models import BadRatingReason, NpsSurvey, Rating, RatingReview, Survey, SurveyPolicy
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Status, Ticket

SWEEPER = Actor.system("satisfaction survey")


class LinkExpired(Conflict):
    """The survey's link is past its expiry."""


def policy() -> SurveyPolicy:
    found = SurveyPolicy.objects.filter(key="default").first()
    return found if found is not None else SurveyPolicy()  # the shipped defaults, before the seed ran


def _record(actor: Actor, ticket: Ticket, kind: str, **after) -> None:
    ticket_actions.record_event(actor, ticket, kind, after=after)


def _survey_of(ticket: Ticket) -> Survey | None:
    return Survey.objects.select_for_update().filter(ticket=ticket).first()


@transaction.atomic
def schedule_surveys(tickets: list[Ticket], *, actor: Actor) -> list[Survey]:
    """The CSAT survey of each solved ticket, due the policy's delay after it was solved. A ticket whose survey
    went out already gets no second one."""
    chosen, now, scheduled = policy(), clock.now(), []
    for ticket in tickets:
        survey = _survey_of(ticket)
        if survey is not None and survey.status == Survey.Status.SENT:
            continue
        solved_at = ticket.solved_at or now
        due = solved_at + timedelta(hours=chosen.delay_hours)
        survey = survey or Survey(ticket=ticket, created_at=now)
        survey.status, survey.next_due_at, survey.solved_at = Survey.Status.SCHEDULED, due, solved_at
        survey.agent_id, survey.group_id, survey.skipped_reason = ticket.assignee_id, ticket.group_id, ""
        survey.updated_at = now
        survey.save()
        _record(actor, ticket, "survey.scheduled", survey=survey.pk, due_at=due.isoformat())
        scheduled.append(survey)
    return scheduled


@transaction.atomic
def cancel_surveys(tickets: list[Ticket], *, actor: Actor, reason: str) -> int:
    """Cancel the scheduled surveys of tickets reopened before their survey went out."""
    cancelled = 0
    for ticket in tickets:
        survey = _survey_of(ticket)
        if survey is None or survey.status != Survey.Status.SCHEDULED:
            continue
        survey.status, survey.next_due_at, survey.updated_at = Survey.Status.CANCELLED, None, clock.now()
        survey.save(update_fields=["status", "next_due_at", "updated_at"])
        _record(actor, ticket, "survey.cancelled", survey=survey.pk, reason=reason)
        cancelled += 1
    return cancelled


def _bounced(ticket: Ticket, address: str) -> bool:
    if InboundMessage.objects.filter(automated_kind="bounce", ticket__requester=ticket.requester_id).exists():
        return True
    failed = OutboundMessage.objects.filter(ticket__requester=ticket.requester_id, status=OutboundMessage.Status.FAILED,
                                            attempts__gt=0).values_list("to", flat=True)
    return any(address in recipients for recipients in failed)


def _facts(ticket: Ticket) -> rules.SurveyFacts:
    address = reply_address(ticket)
    outcomes = tuple(PlaybookRun.objects.filter(ticket=ticket).exclude(outcome="").values_list("outcome", flat=True))
    return rules.SurveyFacts(status=ticket.status, outcomes=outcomes, address=address,
                             bounced=bool(address) and _bounced(ticket, address))


def send_due(limit: int = 200) -> int:
    """The worker's sweep: send or skip every due survey. Claimed with skip_locked, so several workers share
    the work; a survey leaves the due index in the transaction that sends it, so it goes out once."""
    with transaction.atomic():
        ids = list(Survey.objects.select_for_update(skip_locked=True)
                   .filter(status=Survey.Status.SCHEDULED, next_due_at__lte=clock.now())
                   .order_by("next_due_at", "id").values_list("pk", flat=True)[:limit])
        chosen = policy()
        for survey in Survey.objects.filter(pk__in=ids).select_related("ticket__requester").order_by("id"):
            _send_or_skip(survey, chosen)
    return len(ids)


def _send_or_skip(survey: Survey, chosen: SurveyPolicy) -> None:
    ticket, now = survey.ticket, clock.now()
    reason = rules.exclusion(_facts(ticket), excluded_outcomes=chosen.excluded_outcomes,
                             automated_local_parts=chosen.automated_local_parts)
    survey.next_due_at, survey.updated_at = None, now
    if reason:
        survey.status, survey.skipped_reason = Survey.Status.SKIPPED, reason[:200]
        survey.save()
        _record(SWEEPER, ticket, "survey.skipped", survey=survey.pk, reason=reason)
        return
    survey.status, survey.sent_at = Survey.Status.SENT, now
    survey.expires_at = now + timedelta(days=chosen.link_days)
    extra = {"good_link": links.url(links.CSAT, survey.pk, Rating.GOOD),
             "bad_link": links.url(links.CSAT, survey.pk, Rating.BAD), "expires_at": survey.expires_at}
    outbound = queue_template_message(ticket=ticket, actor=SWEEPER, channel=OutboundMessage.Channel.EMAIL,
                                      template=CSAT_TEMPLATE, origin=OutboundMessage.Origin.SURVEY,
                                      idempotency_key=f"csat-survey-{survey.pk}", extra=extra)
    survey.save()
    _record(SWEEPER, ticket, "survey.sent", survey=survey.pk, outbound=outbound.pk,
            expires_at=survey.expires_at.isoformat())
    if chosen.nps_enabled:
        _ask_nps(ticket, chosen, now)


def _ask_nps(ticket: Ticket, chosen: SurveyPolicy, now: datetime) -> None:
    since = now - timedelta(days=chosen.nps_period_days)
    if NpsSurvey.objects.filter(customer=ticket.requester_id, sent_at__gt=since).exists():
        return
    nps = NpsSurvey.objects.create(customer_id=ticket.requester_id, ticket=ticket, sent_at=now,
                                   expires_at=now + timedelta(days=chosen.link_days))
    extra = {"score_links": [(score, links.url(links.NPS, nps.pk, score)) for score in range(11)],
             "expires_at": nps.expires_at}
    outbound = queue_template_message(ticket=ticket, actor=SWEEPER, channel=OutboundMessage.Channel.EMAIL,
                                      template=NPS_TEMPLATE, origin=OutboundMessage.Origin.SURVEY,
                                      idempotency_key=f"nps-survey-{nps.pk}", extra=extra)
    _record(SWEEPER, ticket, "nps.sent", nps=nps.pk, outbound=outbound.pk)


def _check_open(sent_at, expires_at) -> None:
    if sent_at is None:
        raise Conflict("This survey was not sent.")
    if clock.now() >= expires_at:
        raise LinkExpired(f"This survey closed on {expires_at:%d %B %Y}.")


@transaction.atomic
def record_rating(survey: Survey, *, rating: str, reason: int | None = None, comment: str = "") -> Survey:
    """The customer's submitted answer: good or bad (with a reason from the team's list), and a comment. One
    answer per ticket: a second submission changes it, until the link expires."""
    survey = Survey.objects.select_for_update().select_related("ticket__requester").get(pk=survey.pk)
    _check_open(survey.sent_at, survey.expires_at)
    if rating not in Rating.values:
        raise ValidationFailed("Choose good or bad.", field="rating")
    chosen_reason = None
    if rating == Rating.BAD:
        chosen_reason = BadRatingReason.objects.filter(pk=reason, active=True).first() if reason else None
        if chosen_reason is None:
            raise ValidationFailed("Tell us what went wrong: choose a reason.", field="reason")
    changed = bool(survey.rating)
    now = clock.now()
    survey.rating, survey.reason, survey.comment = rating, chosen_reason, (comment or "").strip()[:5000]
    survey.rated_at = survey.updated_at = now
    survey.save()
    actor = Actor.customer(survey.ticket.requester.name)
    _record(actor, survey.ticket, "survey.rated", survey=survey.pk, rating=rating,
            reason=chosen_reason.name if chosen_reason else None, comment=survey.comment, changed=changed)
    if rating == Rating.BAD and policy().review_bad_ratings and not RatingReview.objects.filter(survey=survey).exists():
        review = RatingReview.objects.create(survey=survey, created_at=now)
        _record(SWEEPER, survey.ticket, "survey.review_opened", survey=survey.pk, review=review.pk)
    return survey


@transaction.atomic
def record_nps(nps: NpsSurvey, *, score, comment: str = "") -> NpsSurvey:
    """The customer's 0-10 answer, changeable until the link expires."""
    nps = NpsSurvey.objects.select_for_update().select_related("customer").get(pk=nps.pk)
    _check_open(nps.sent_at, nps.expires_at)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValidationFailed("Choose a score from 0 to 10.", field="score")
    nps.score, nps.comment, nps.answered_at = score, (comment or "").strip()[:5000], clock.now()
    nps.save()
    _record(Actor.customer(nps.customer.name), nps.ticket, "nps.answered", nps=nps.pk, score=score,
            comment=nps.comment)
    return nps


@transaction.atomic
def finish_review(review: RatingReview, *, agent, note: str) -> RatingReview:
    """A Team Supervisor's review of a bad rating is done, with what they found or did."""
    review = RatingReview.objects.select_for_update().select_related("survey__ticket").get(pk=review.pk)
    if review.status == RatingReview.Status.DONE:
        raise Conflict("This review is already done.")
    if not (note or "").strip():
        raise ValidationFailed("Say what the review found or did.", field="note")
    review.status, review.done_at, review.done_by, review.note = RatingReview.Status.DONE, clock.now(), agent, note.strip()
    review.save()
    _record(Actor.of_agent(agent), review.survey.ticket, "survey.review_done", survey=review.survey_id,
            review=review.pk, note=review.note)
    return review


def solved_or_reopened(ticket: Ticket, changes: list, actor: Actor) -> None:
    """The tickets' `ticket_changed` signal: schedule on solved, cancel on reopened."""
    for name, before, after in changes:
        if name != "status":
            continue
        if after == Status.SOLVED:
            schedule_surveys([ticket], actor=actor)
        elif before in (Status.SOLVED, Status.CLOSED) and after != Status.CLOSED:
            cancel_surveys([ticket], actor=actor, reason="the ticket was reopened")
