"""No escalation without the request, in the simulator too: a scenario that records the customer's choice before
they asked is refused at that event."""

from __future__ import annotations

import pytest

from caredesk.playbooks.scenario import parse_scenario
from caredesk.playbooks.simulate import run_scenario
from caredesk.playbooks.spec import DEFAULTS_DIRECTORY, PlaybookError

SCENARIO = """
title: The agent tries to escalate without the customer asking
start: 2025-09-09 10:00 America/New_York
ticket:
  subject: I am upset
  type: general_inquiry
  customer: {name: Irene Irate, emails: irene@example.com}
events:
  - at: day 1 11:00
    escalation: {step}
until: day 1 12:00
"""


@pytest.mark.parametrize("step", ["agreed_to_wait", "refused_to_wait"])
def test_a_choice_without_the_request_is_refused(db, step):
    scenario = parse_scenario(SCENARIO.replace("{step}", step), str(DEFAULTS_DIRECTORY.parent / "scenario.yaml"))
    with pytest.raises(PlaybookError, match="has not asked to be escalated") as refused:
        run_scenario(scenario)
    assert refused.value.field_path == "events[0]" and refused.value.line == 9


def test_a_transfer_step_names_an_agent_of_the_scenario(db):
    text = SCENARIO.replace("escalation: {step}", "transfer: {answer: nobody}")
    with pytest.raises(PlaybookError, match="no agent 'nobody'"):
        run_scenario(parse_scenario(text, str(DEFAULTS_DIRECTORY.parent / "scenario.yaml")))
