"""A ticket under escalation with a call to link, and the people a case meets."""

from __future__ import annotations

import pytest

from caredesk.cases.actions import NewCase
from caredesk.cases.models import PrimaryReason
from caredesk.core import roles
from caredesk.escalations import actions as escalation_actions
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Channel, Interaction


@pytest.fixture
def escalated(ticket, agent, actor):
    escalation_actions.record_request(ticket, agent=agent, reason="I want to speak with leadership")
    return ticket


@pytest.fixture
def call(escalated, actor):
    return ticket_actions.add_interaction(
        escalated, actor=actor, channel=Channel.PHONE, direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.CALL, call_outcome=Interaction.CallOutcome.ANSWERED, body="The homeowner called.")


@pytest.fixture
def specialist(make_agent):
    return make_agent("sam", roles.RESOLUTION_SPECIALIST, first_name="Sam", last_name="Reyes")


@pytest.fixture
def lead(make_agent):
    return make_agent("lee", roles.RESOLUTION_LEAD, first_name="Lee", last_name="Park")


@pytest.fixture
def complete(call):
    """Everything SOP 003 step 3 requires, the documentation not needed."""
    def make(**changes) -> NewCase:
        fields = dict(
            primary_reason=PrimaryReason.objects.get(key="installation_concern").pk,
            description="The homeowner says the panels were never connected.",
            installer_point_of_view="The installer says the job was finished in March.",
            interaction=call.pk, concern_type="Installation quality", red_flags="The dates disagree.",
            other_concerns="A second order at the same address.", welcome_call_voice_matches=True,
            certificate_of_completion_reviewed=True, documentation="not_needed")
        fields.update(changes)
        return NewCase(**fields)

    return make
