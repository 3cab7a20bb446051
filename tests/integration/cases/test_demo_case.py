"""The demo shows SOP 003's case: an escalated call with its recording, offered to the Resolution Specialist."""

from __future__ import annotations

import pytest

from caredesk.cases import queries
from caredesk.cases.models import Case
from caredesk.core.models import Agent

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_case_with_its_recording_offered_to_the_specialist():
    from caredesk.demo import load_demo

    load_demo()
    case = Case.objects.get()
    assert case.ticket.subject == "Wants to speak to a manager about the delay"
    assert case.recording is not None and case.recording.interaction == case.interaction
    assert (case.status, case.assignment, case.assignee.username) == ("assigned", "offered", "rs")
    assert list(queries.queue("offered_to_me", Agent.objects.get(username="rs"))) == [case]
