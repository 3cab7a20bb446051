"""SOP 004's preferred channel in SOP 001's follow-up: the attempt's checklist starts with it, and its channels
are still those the contact data gives."""

from __future__ import annotations

from caredesk.core.audit import Actor
from caredesk.customers.actions import update_customer
from caredesk.playbooks.models import FollowUpTask
from caredesk.tickets.actions import update_ticket


def test_the_attempt_checklist_starts_with_the_preferred_channel(frozen_clock, agent, make_ticket):
    actor = Actor.of_agent(agent)
    plain = make_ticket(name="Ann One", phones=["+1 415 555 0101"], order=True)
    texter = make_ticket(name="Bo Two", phones=["+1 415 555 0102"], order=True)
    update_customer(texter.requester, actor=actor, preferred_channel="sms")
    for ticket in (plain, texter):
        update_ticket(ticket, actor=actor, status="pending")
    first, second = (FollowUpTask.objects.get(ticket=ticket).planned_channels for ticket in (plain, texter))
    assert first == ["email", "call", "text"]
    assert second == ["text", "email", "call"]
