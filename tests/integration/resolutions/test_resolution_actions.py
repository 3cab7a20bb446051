"""Resolutions in the database: the team's rule enforced in the tickets' one solve path (single, bulk, composer),
per ticket type; the playbook's own outcome; the confirmation recorded or asked on the preferred channel through
the outbox, with the auto-close waiting for it; the customer's signed links; feedback to teams; the export."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.channels.models import OutboundMessage
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers.actions import update_customer
from caredesk.resolutions import actions, queries, tokens
from caredesk.resolutions.models import Feedback, FeedbackTeam, Resolution, ResolutionRule, RootCause
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import use_cases
from caredesk.tickets.actions import ticket_changes
from caredesk.tickets.models import Ticket, TicketType
from tests.integration.helpers import events_of, nothing_written, record_resolution

PLAYBOOK = Actor.playbook("general_inquiry_follow_up", 3)
Confirmation = Resolution.Confirmation


def article(agent, *, publish=True):
    """An article of the knowledge base (published unless told)."""
    from caredesk.knowledge import actions as knowledge
    from caredesk.knowledge.models import ArticleCategory

    written = knowledge.create_article(agent=agent, draft=knowledge.Draft(
        title="Resetting a charger", body="Hold the button for ten seconds.",
        category=ArticleCategory.objects.first().pk))
    return knowledge.publish(written, agent=agent) if publish else written


def new(**fields) -> actions.NewResolution:
    return actions.NewResolution(**{"root_cause": "product_defect", "summary": "Replaced the part.", **fields})


def status(ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


def test_an_agent_cannot_solve_without_the_required_fields_by_any_door(ticket, actor):
    with nothing_written():
        with pytest.raises(ValidationFailed) as single:
            ticket_actions.update_ticket(ticket, actor=actor, status="solved")
        with pytest.raises(ValidationFailed) as composer:
            use_cases.reply(ticket, actor=actor, body="All done.", then_status="solved")
    assert (single.value.field, composer.value.field) == ("status", "status")
    assert "Choose the root cause." in single.value.detail
    other = ticket_actions.create_ticket(actor=actor, requester=ticket.requester, subject="Another")
    record_resolution(other, actor)
    with ticket_changes([ticket.pk, other.pk], actor) as batch:  # bulk: each ticket on its own
        refused = []
        for ticket_id in (ticket.pk, other.pk):
            try:
                with batch.changing(ticket_id) as change:
                    change.set(status="solved")
            except ValidationFailed as error:
                refused.append((ticket_id, error.field))
    assert refused == [(ticket.pk, "status")]
    assert (status(ticket), status(other)) == ("new", "solved")


def test_solving_records_the_resolution_and_solves_in_one_step(ticket, actor, frozen_clock):
    resolution = actions.solve(ticket, actor=actor, resolution=new(
        resolution_code="fixed", knowledge_base_reference="https://kb.example.com/chargers", confirmation="later"))
    assert status(ticket) == "solved"
    assert (resolution.root_cause.key, resolution.resolution_code.key, resolution.summary,
            resolution.confirmation, resolution.recorded_by) == (
        "product_defect", "fixed", "Replaced the part.", Confirmation.AWAITED, actor.agent)
    [event] = events_of(ticket, action="resolution.recorded")
    assert event.after["root_cause"]["name"] == "Product defect"
    assert event.after["knowledge_base_reference"] == "https://kb.example.com/chargers"
    assert [e.action for e in events_of(ticket)][-3:] == ["resolution.recorded", "status.changed", "survey.scheduled"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"summary": "  "}, "summary"), ({"root_cause": ""}, "root_cause"), ({"root_cause": "nope"}, "root_cause"),
    ({"linked_ticket": 999999}, "linked_ticket"), ({"summary": "x" * 4001}, "summary"),
    ({"confirmation": "maybe"}, "confirmation"), ({"confirmation": "confirmed"}, "confirmed_by"),
])
def test_a_refused_resolution_writes_nothing(ticket, actor, fields, field):
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        actions.solve(ticket, actor=actor, resolution=new(**fields))
    assert caught.value.field == field
    assert not Resolution.objects.exists()


def test_the_lists_and_the_rule_can_be_per_ticket_type(ticket, actor):
    refund = TicketType.objects.get(key="refund_request")
    ticket = ticket_actions.update_ticket(ticket, actor=actor, ticket_type=refund)
    billing_only = RootCause.objects.get(key="billing_error")
    billing_only.ticket_types.set([refund])
    assert billing_only in queries.entries_for(RootCause, refund.pk)
    assert billing_only not in queries.entries_for(RootCause, TicketType.objects.get(key="bot_issue").pk)
    ResolutionRule.objects.create(ticket_type=refund, required_fields=["resolution_code", "reference"],
                                  confirmation_required=False)
    with pytest.raises(ValidationFailed) as caught:
        actions.solve(ticket, actor=actor, resolution=new())
    assert caught.value.field == "resolution_code"
    with pytest.raises(ValidationFailed) as caught:
        actions.solve(ticket, actor=actor, resolution=new(resolution_code="refund_issued"))
    assert caught.value.field == "reference"
    earlier = ticket_actions.create_ticket(actor=actor, requester=ticket.requester, subject="Earlier")
    resolution = actions.solve(ticket, actor=actor, resolution=actions.NewResolution(
        resolution_code="refund_issued", linked_ticket=earlier.pk, root_cause="billing_error"))
    assert (resolution.confirmation, status(ticket)) == (Confirmation.NOT_REQUIRED, "solved")
    assert not OutboundMessage.objects.exists()  # the ticket type does not confirm


def test_a_playbook_that_solves_records_its_own_outcome(ticket):
    with ticket_changes([ticket.pk], PLAYBOOK) as batch:
        batch.note("customer unresponsive - closing ticket")
        batch.set(status="solved")
    resolution = queries.current_resolution(ticket)
    assert (resolution.root_cause.key, resolution.resolution_code.key, resolution.recorded_label,
            resolution.confirmation) == ("customer_unresponsive", "closed_unresponsive",
                                         "general_inquiry_follow_up@v3", Confirmation.NOT_REQUIRED)
    system = ticket_actions.create_ticket(actor=PLAYBOOK, requester=ticket.requester, subject="Other")
    ticket_actions.update_ticket(system, actor=Actor.system("import"), status="solved")
    assert queries.current_resolution(system).summary == "Solved by import."


def test_reopening_ends_the_resolution_and_solving_again_needs_a_new_one(ticket, actor, customer):
    first = actions.solve(ticket, actor=actor, resolution=new(confirmation="later"))
    ticket_actions.receive_customer_message(ticket, customer=customer, channel="email", body="It broke again")
    first.refresh_from_db()
    assert (status(ticket), first.current) == ("open", False)
    with pytest.raises(ValidationFailed):
        ticket_actions.update_ticket(ticket, actor=actor, status="solved")
    second = actions.solve(ticket, actor=actor, resolution=new(summary="Replaced the board.", confirmation="later"))
    assert queries.current_resolution(ticket) == second
    assert [row.summary for row in queries.search_resolutions(text="replaced")] == [
        "Replaced the board.", "Replaced the part."]


@pytest.mark.parametrize(("preferred", "channel", "to"), [
    ("email", "email", ["dana@example.com"]), ("sms", "sms", ["+14155550132"]), ("phone", "sms", ["+14155550132"]),
])
def test_the_confirmation_message_goes_through_the_outbox_on_the_preferred_channel(
        ticket, actor, customer, preferred, channel, to):
    update_customer(customer, actor=actor, preferred_channel=preferred)
    resolution = actions.solve(ticket, actor=actor, resolution=new(confirmation="send"))
    message = OutboundMessage.objects.get(ticket=ticket)
    assert (message.channel, message.to, message.status) == (channel, to, "queued")
    link = next(word for word in message.body.split() if "/resolution/confirm/" in word)
    assert tokens.unsign(tokens.CONFIRMATION, link.rstrip("/").rsplit("/", 1)[1]) == resolution.pk
    assert (resolution.confirmation, resolution.confirmation_channel) == (Confirmation.SENT, channel)
    [sent] = events_of(ticket, action="resolution.confirmation_sent")
    assert sent.after == {"resolution": resolution.pk, "channel": channel, "outbound": message.pk}


def test_the_auto_close_waits_for_the_confirmation(ticket, actor, customer, frozen_clock, settings):
    awaited = actions.solve(ticket, actor=actor, resolution=new(confirmation="later"))
    asked = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Asked")
    actions.solve(asked, actor=actor, resolution=new())
    frozen_clock.advance(timedelta(days=settings.SOLVED_TICKET_CLOSE_DAYS, seconds=1))
    asked_again = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Asked late")
    actions.solve(asked_again, actor=actor, resolution=new(confirmation="later"))
    frozen_clock.advance(timedelta(days=settings.SOLVED_TICKET_CLOSE_DAYS, seconds=1))
    actions.send_confirmation(asked_again, actor=actor)  # asked now: the customer gets the whole delay
    assert ticket_actions.close_solved_tickets() == 1  # the message sent at the solve had its delay
    assert (status(ticket), status(asked), status(asked_again)) == ("solved", "closed", "solved")
    actions.record_confirmation(ticket, actor=actor, confirmed_by="phone", note="Called, all good.")
    assert ticket_actions.close_solved_tickets() == 1
    assert status(ticket) == "closed"
    awaited.refresh_from_db()
    assert (awaited.confirmation, awaited.confirmation_channel) == (Confirmation.CONFIRMED, "phone")


def test_still_not_fixed_reopens_and_on_a_closed_ticket_opens_a_follow_up(ticket, actor, customer):
    resolution = actions.solve(ticket, actor=actor, resolution=new())
    link = tokens.sign(tokens.CONFIRMATION, resolution.pk)
    landed = actions.customer_not_fixed(link, comment="Still broken.")
    resolution.refresh_from_db()
    assert (landed.pk, status(ticket), resolution.confirmation, resolution.current) == (
        ticket.pk, "open", Confirmation.NOT_FIXED, False)
    assert events_of(ticket, action="resolution.not_fixed")[0].actor_kind == "customer"
    assert ticket.interactions.filter(direction="inbound").last().body == "Still not fixed.\n\nStill broken."
    second = actions.solve(ticket, actor=actor, resolution=new(confirmation="confirmed", confirmed_by="email"))
    ticket_actions.update_ticket(ticket, actor=actor, status="closed")
    follow_up = actions.customer_not_fixed(tokens.sign(tokens.CONFIRMATION, second.pk))
    assert follow_up.follows_up_id == ticket.pk and status(ticket) == "closed"


def test_a_link_altered_or_expired_is_refused(ticket, actor, frozen_clock, settings):
    resolution = actions.solve(ticket, actor=actor, resolution=new())
    link = tokens.sign(tokens.CONFIRMATION, resolution.pk)
    for bad in (link[:-2] + "xx", tokens.sign(tokens.PREFERENCES, resolution.pk)):
        with nothing_written(), pytest.raises(tokens.InvalidLink):
            actions.customer_not_fixed(bad)
    frozen_clock.advance(timedelta(days=settings.RESOLUTION_LINK_DAYS, seconds=1))
    with pytest.raises(tokens.InvalidLink):
        actions.customer_not_fixed(link)
    assert status(ticket) == "solved"


def test_the_customer_confirms_or_sets_the_preferred_channel_from_a_link(ticket, actor, customer):
    resolution = actions.solve(ticket, actor=actor, resolution=new())
    confirmed = actions.customer_confirmed(tokens.sign(tokens.CONFIRMATION, resolution.pk))
    assert (confirmed.confirmation, confirmed.confirmation_channel) == (Confirmation.CONFIRMED, "link")
    changed = actions.set_preferred_channel(actions.customer_from_link(tokens.sign(tokens.PREFERENCES, customer.pk)),
                                            "sms")
    assert changed.preferred_channel == "sms"
    assert customer.events.filter(action="customer.changed", field="preferred_channel",
                                  actor_kind="customer").exists()
    with pytest.raises(ValidationFailed):
        actions.set_preferred_channel(customer, "pigeon")


def test_feedback_for_a_team_from_a_new_or_an_existing_note(ticket, actor, frozen_clock):
    shared = actions.share_feedback(ticket, actor=actor, team="billing", body="Charged twice.")
    note = use_cases.add_note(ticket, actor=actor, body="The installer left early.")
    marked = actions.share_feedback(ticket, actor=actor, team="installers", note=note.pk)
    assert (shared.team.key, shared.note.body, marked.note) == ("billing", "Charged twice.", note)
    with pytest.raises(Conflict):
        actions.share_feedback(ticket, actor=actor, team="product", note=note.pk)
    other = ticket_actions.create_ticket(actor=actor, requester=ticket.requester, subject="Other")
    for fields, field in (({"team": "legal", "body": "x"}, "team"), ({"team": "product", "note": note.pk}, "note"),
                          ({"team": "product", "body": " "}, "body")):
        with nothing_written(), pytest.raises(ValidationFailed) as caught:
            actions.share_feedback(other, actor=actor, **fields)
        assert caught.value.field == field
    billing = FeedbackTeam.objects.get(key="billing")
    assert [item.note.body for item in queries.team_feedback(billing)] == ["Charged twice."]
    actions.solve(ticket, actor=actor, resolution=new(root_cause="billing_error", confirmation="later"))
    frozen_clock.advance(timedelta(days=7))
    later = ticket_actions.create_ticket(actor=actor, requester=ticket.requester, subject="Later")
    actions.share_feedback(later, actor=actor, team="billing", body="Charged twice again.")
    counts = queries.weekly_counts(billing, since=queries.weeks_ago(8))
    assert [(row.root_cause, row.count) for row in counts] == [("Not solved yet", 1), ("Billing error", 1)]
    assert counts[0].week > counts[1].week
    assert Feedback.objects.filter(team=billing).count() == 2


def test_the_export_counts_resolutions_by_week_root_cause_and_agent(ticket, actor, frozen_clock):
    actions.solve(ticket, actor=actor, resolution=new(confirmation="confirmed", confirmed_by="phone"))
    other = ticket_actions.create_ticket(actor=actor, requester=ticket.requester, subject="Other")
    actions.solve(other, actor=actor, resolution=new(confirmation="later"))
    with ticket_changes([ticket_actions.create_ticket(actor=actor, requester=ticket.requester, subject="x").pk],
                        PLAYBOOK) as batch:
        batch.set(status="solved")
    rows = list(queries.export_rows())
    assert rows == [
        queries.EXPORT_HEADER,
        ["2026-03-02", "Customer unresponsive", "Closed as unresponsive", "general_inquiry_follow_up@v3", 1, 0, 0],
        ["2026-03-02", "Product defect", "", "maria", 2, 1, 0],
    ]
    assert list(queries.export_rows(since=frozen_clock.now() + timedelta(seconds=1))) == [queries.EXPORT_HEADER]


def test_the_resolution_reuses_an_article_of_the_knowledge_base(ticket, actor, agent):
    """SOP 004 "Utilize a Knowledge Base": the solution reuses a published article, which satisfies a rule that
    requires a reference, and reads in the trail and the search."""
    draft = article(agent, publish=False)
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        actions.solve(ticket, actor=actor, resolution=new(article=draft.pk))
    assert caught.value.field == "article"
    ResolutionRule.objects.filter(ticket_type=None).update(required_fields=["root_cause", "reference"])
    published = article(agent)
    resolution = actions.solve(ticket, actor=actor, resolution=new(summary="", article=published.pk,
                                                                   confirmation="later"))
    assert (resolution.article, status(ticket)) == (published, "solved")
    [event] = events_of(ticket, action="resolution.recorded")
    assert event.after["article"] == {"id": published.pk, "name": "Resetting a charger"}
    assert [row.pk for row in queries.search_resolutions(text="charger")] == [resolution.pk]


def test_a_customer_who_prefers_the_phone_is_called_unless_the_agent_sends_a_message(ticket, actor, customer):
    """SOP 004: reach out "through their preferred communication channel, such as phone": left to itself, solving
    awaits the agent's call; the agent may still send a text."""
    update_customer(customer, actor=actor, preferred_channel="phone")
    resolution = actions.solve(ticket, actor=actor, resolution=new())
    assert (resolution.confirmation, OutboundMessage.objects.count()) == (Confirmation.AWAITED, 0)
    assert [row.pk for row in queries.search_resolutions(confirmation="awaited")] == [resolution.pk]
