"""SOP 000's rule for the Care Clarifications Form, without a database."""

from caredesk.clarifications.rules import ClarificationFacts, refusal


def test_only_a_resolved_ticket_that_is_not_a_reply_to_a_closed_one():
    assert refusal(ClarificationFacts("solved", False)) == ""
    assert refusal(ClarificationFacts("closed", False)) == ""
    for status in ("new", "open", "pending", "on_hold"):
        assert "RESOLVED tickets only" in refusal(ClarificationFacts(status, False))
    assert "NOT a clarification" in refusal(ClarificationFacts("solved", True))
