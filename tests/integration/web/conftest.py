"""Fixtures of the workspace view tests: a signed-in browser-less client and tickets with long timelines."""

from __future__ import annotations

import pytest

from caredesk.core.audit import Actor


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def make_ticket(customer, agent):
    from caredesk.tickets.actions import add_interaction, create_ticket, update_ticket
    from caredesk.tickets.models import Channel, Interaction

    actor = Actor.of_agent(agent)

    def make(entries: int = 0, **fields):
        fields.setdefault("subject", "Where is my passport?")
        ticket = create_ticket(actor=actor, requester=fields.pop("requester", customer), **fields)
        for index in range(entries):
            kind = index % 4
            if kind == 0:
                add_interaction(ticket, actor=actor, channel=Channel.EMAIL, direction="outbound",
                                kind="message", body=f"Reply {index}")
            elif kind == 1:
                add_interaction(ticket, actor=actor, channel=Channel.INTERNAL, direction="internal",
                                kind="note", body=f"Note {index}")
            elif kind == 2:
                add_interaction(ticket, actor=actor, channel=Channel.PHONE, direction="outbound", kind="call",
                                call_outcome=Interaction.CallOutcome.ANSWERED,
                                call_notes={"caller_name": "Dana", "call_type": "Outbound",
                                            "customer_type": "Homeowner", "reason_for_call": "Follow-up",
                                            "actions_taken": "Explained"})
            else:
                update_ticket(ticket, actor=actor, priority=1 + (index // 4) % 4, tags=[f"tag{index % 7}"])
        return ticket

    return make
