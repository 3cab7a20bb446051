"""SLA clocks on the database: started with the ticket, moved by replies and statuses, breaches recorded by
the sweep when they happen (once, even swept again), warnings once per target, priority recomputes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.customers.actions import update_customer
from caredesk.sla import actions
from caredesk.sla.models import Impact, SlaEvent, SlaPolicy, SlaTarget, TicketPriority, TicketSla, Urgency
from caredesk.tickets import use_cases
from caredesk.tickets.actions import create_ticket, update_ticket
from caredesk.tickets.models import Priority, TicketEvent

NEW_YORK = ZoneInfo("America/New_York")
MONDAY_9 = datetime(2025, 9, 15, 9, 0, tzinfo=NEW_YORK)


@pytest.fixture
def monday(db):
    with clock.frozen_at(MONDAY_9):
        yield


def sla_events(ticket, kind=None) -> list[str]:
    rows = SlaEvent.objects.filter(ticket=ticket).order_by("id")
    return [event.after["description"] for event in rows if kind is None or event.action == f"sla.{kind}"]


def target(ticket, metric, cycle=1) -> SlaTarget:
    return SlaTarget.objects.get(ticket=ticket, metric=metric, cycle=cycle)


def new_ticket(customer, actor, **fields):
    return create_ticket(actor=actor, requester=customer, subject="Help", **fields)


def test_a_new_ticket_gets_the_standard_policy_and_its_clocks(monday, customer, actor):
    ticket = new_ticket(customer, actor)
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.policy.key == "standard"
    first = target(ticket, "first_reply")
    assert (first.state, first.due_at) == ("running", MONDAY_9 + timedelta(hours=8))
    assert first.warn_at == MONDAY_9 + timedelta(hours=7)
    assert sla.next_due_at == first.warn_at and sla.next_breach_at == first.due_at
    assert "first reply: clock started, target 8h 00m of business time, due Mon 15 Sep 17:00" in sla_events(ticket)


def test_the_sweep_warns_once_then_records_the_breach_when_it_happens(monday, customer, actor, agent):
    from caredesk.notifications.models import Notification

    ticket = new_ticket(customer, actor, assignee=agent)
    clock.set_virtual(MONDAY_9 + timedelta(hours=7, seconds=30))
    assert actions.sweep_due() == 2  # first reply and periodic update (8 hours) warn an hour before
    assert actions.sweep_due() == 0
    assert len(sla_events(ticket, "warned")) == 2
    texts = list(Notification.objects.filter(agent=agent, kind__key="sla_warning").values_list("text", flat=True))
    assert texts == [  # one notification for the two targets warned together, not one each
        f"2 SLA targets of your tickets breach soon: #{ticket.pk} first reply breaches soon, due Mon 15 Sep 17:00 "
        f"(59m of business time left); #{ticket.pk} periodic update breaches soon, due Mon 15 Sep 17:00 "
        f"(59m of business time left)"]
    clock.set_virtual(MONDAY_9 + timedelta(hours=8, seconds=20))
    assert actions.sweep_due() == 2  # first reply, periodic update (resolution is 5 days)
    assert actions.sweep_due() == 0
    breach = SlaEvent.objects.filter(ticket=ticket, action="sla.breached").first()
    assert breach.at == MONDAY_9 + timedelta(hours=8, seconds=20)  # when it was seen, never back-dated
    assert breach.after["due_at"] == (MONDAY_9 + timedelta(hours=8)).astimezone(ZoneInfo("UTC")).isoformat()
    assert target(ticket, "first_reply").breached_at is not None


def test_a_reply_fulfils_first_reply_and_a_customer_message_starts_next_reply(monday, customer, actor, agent):
    ticket = new_ticket(customer, actor)
    clock.advance(timedelta(minutes=30))
    use_cases.reply(ticket, actor=actor, body="We are on it.")
    assert target(ticket, "first_reply").state == "fulfilled"
    assert target(ticket, "periodic_update", 2).state == "running"
    clock.advance(timedelta(minutes=30))
    use_cases.log_customer_message(ticket, actor=actor, channel="email", body="Any news?")
    assert target(ticket, "next_reply").state == "running"
    clock.advance(timedelta(minutes=10))
    use_cases.reply(ticket, actor=actor, body="Yes.")
    assert target(ticket, "next_reply").state == "fulfilled"
    assert target(ticket, "first_reply").state == "fulfilled"


def test_pending_pauses_resolution_but_not_first_reply(monday, customer, actor):
    ticket = new_ticket(customer, actor, status="open")
    update_ticket(ticket, actor=actor, status="pending")
    assert target(ticket, "resolution").state == "paused"
    assert target(ticket, "first_reply").state == "running"
    assert "resolution: paused while pending, 40h 00m left" in sla_events(ticket, "paused")


def test_a_priority_change_moves_the_ticket_to_another_policy_and_recomputes(monday, customer, actor):
    ticket = new_ticket(customer, actor)
    clock.advance(timedelta(minutes=10))
    actions.assess_priority(ticket, actor=actor, impact=Impact.objects.get(key="whole_business").pk,
                            urgency=Urgency.objects.get(key="blocks_work").pk)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT
    assert TicketSla.objects.get(ticket=ticket).policy.key == "urgent"
    assert target(ticket, "first_reply").due_at == MONDAY_9 + timedelta(hours=1)
    assert any("Urgent tickets applies (was Standard)" in text for text in
               SlaEvent.objects.filter(ticket=ticket, action="sla.policy.applied").values_list(
                   "after__description", flat=True))
    assert sla_events(ticket, "recomputed")[0].startswith("first reply: due Mon 15 Sep 10:00 instead of Mon 15 Sep 17:00")
    assessment = TicketPriority.objects.get(ticket=ticket)
    assert assessment.explanation == "urgent from impact The customer's whole business and urgency Blocks work now"


def test_a_vip_customers_ticket_is_raised_one_level(monday, customer, actor):
    update_customer(customer, actor=actor, importance="vip")
    ticket = new_ticket(customer, actor)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert TicketSla.objects.get(ticket=ticket).policy.key == "high"
    assert TicketPriority.objects.get(ticket=ticket).explanation == (
        "medium by default (no impact and urgency); raised one level to high for a VIP customer")


def test_an_override_needs_a_reason_and_is_audited(monday, ticket, actor):
    from caredesk.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        actions.override_priority(ticket, actor=actor, priority_value=Priority.LOW, reason="  ")
    assert refused.value.field == "reason"
    actions.override_priority(ticket, actor=actor, priority_value=Priority.LOW, reason="Duplicate of #12")
    event = TicketEvent.objects.get(ticket=ticket, action="priority.overridden")
    assert event.after["reason"] == "Duplicate of #12" and event.actor_label == actor.label


def test_a_policy_change_marks_open_clocks_for_the_sweep_to_recompute(monday, customer, actor):
    ticket = new_ticket(customer, actor)
    standard = SlaPolicy.objects.get(key="standard")
    spec = standard.targets.get(metric="first_reply")
    spec.business_minutes = 120
    spec.save()  # as the admin does; the receiver marks the open clocks
    assert TicketSla.objects.get(ticket=ticket).stale
    actions.sweep_due()
    assert target(ticket, "first_reply").due_at == MONDAY_9 + timedelta(hours=2)
    assert not TicketSla.objects.get(ticket=ticket).stale


def test_several_sweeps_record_each_breach_once(monday, customer, actor):
    tickets = [new_ticket(customer, actor) for _ in range(3)]
    clock.set_virtual(MONDAY_9 + timedelta(hours=9))
    first, second = actions.sweep_due(batch_size=2), actions.sweep_due(batch_size=2)
    assert second == 0 and first == 3 * 2  # first reply and periodic update breached (no warning so late)
    for ticket in tickets:
        assert len(sla_events(ticket, "breached")) == 2
