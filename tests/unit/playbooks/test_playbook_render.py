"""`playbook show`: the playbook as the day-by-day procedure a manager recognises as their SOP."""

from caredesk.playbooks.render import render_procedure


def test_general_inquiry_reads_day_by_day(playbooks):
    text = render_procedure(playbooks["general_inquiry_follow_up"])
    lines = text.splitlines()
    assert lines[0] == "General inquiry follow-up (general_inquiry_follow_up, version 2)"
    assert "Day 1: 1st update, initial grab of the ticket." in lines
    assert '  - if the customer is not reached: internal note "1/3"; submit the ticket as PENDING' in lines
    assert "Day 2: No response from the customer. No action needed." in lines
    assert "Day 4: No response from the customer. No action needed." in lines
    assert '  - if the customer is not reached: internal note "3/3"' in lines
    assert "Day 6: No response after three attempts to follow up; the customer is unresponsive (closed as unresponsive)." in lines
    assert '  - internal note "customer unresponsive - closing ticket"' in lines
    assert "  - assignee: the working agent" in lines
    assert "  - submit the ticket as SOLVED" in lines
    assert '    - internal note "@Roxy V customer unresponsive"' in lines
    assert '    - assignee "Vincent Ryan V"' in lines
    assert "with a linked order, email + call + text" in text
    assert "business days (Monday to Friday, skipping public holidays of US) in America/New_York" in text
    assert "Starts again from day 1 when a missed call is added, or an abandoned call is added" in text
    days = [line.split(":")[0] for line in lines if line.startswith("Day ")]
    assert days == ["Day 1", "Day 2", "Day 3", "Day 4", "Day 5", "Day 6"]


def test_refund_escalation_and_exclusion(playbooks):
    text = render_procedure(playbooks["refund_request_follow_up"])
    assert "industry is not us_passport" in text
    assert "At the end of day 3: Escalate the ticket for the refund request (ready for refund escalation)." in text
    assert "overdue after the end of day 4" in text


def test_care_call_first(playbooks):
    text = render_procedure(playbooks["care_call_first"])
    assert "call the customer, due now; nothing is emailed first" in text
    assert 'if the customer is not reached: email task "Follow up by email, the call did not reach the customer"' in text
    assert "A call logged without call notes flags the ticket missing_call_notes." in text
    assert "Channels of a follow-up attempt" not in text


def test_automatic_sending_is_shown(playbooks):
    from dataclasses import replace

    text = render_procedure(replace(playbooks["care_call_first"], send_automatically=(("email", "care_call_follow_up"),)))
    assert 'send the email automatically (template "care_call_follow_up")' in text
