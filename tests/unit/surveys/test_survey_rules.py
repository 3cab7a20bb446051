"""The pure survey rules: exclusions, CSAT and NPS arithmetic."""

from caredesk.surveys import rules
from caredesk.surveys.rules import SurveyFacts

POLICY = {"excluded_outcomes": ["unresponsive_closed", "bot_issue_handed_off"],
          "automated_local_parts": ["noreply", "mailer-daemon"]}


def facts(**changes) -> SurveyFacts:
    base = {"status": "solved", "outcomes": (), "address": "dana@example.com", "bounced": False}
    return SurveyFacts(**{**base, **changes})


def test_a_plain_solved_ticket_is_surveyed():
    assert rules.exclusion(facts(), **POLICY) == ""
    assert rules.exclusion(facts(status="closed"), **POLICY) == ""


def test_each_exclusion_says_why():
    assert "open again" in rules.exclusion(facts(status="open"), **POLICY)
    assert "unresponsive closed" in rules.exclusion(facts(outcomes=("unresponsive_closed",)), **POLICY)
    assert "bot issue handed off" in rules.exclusion(facts(outcomes=("customer_reached", "bot_issue_handed_off")),
                                                     **POLICY)
    assert "no email address" in rules.exclusion(facts(address=None), **POLICY)
    assert "automated" in rules.exclusion(facts(address="NoReply@shop.example"), **POLICY)
    assert "automated" in rules.exclusion(facts(address="mailer-daemon+x@shop.example"), **POLICY)
    assert rules.exclusion(facts(address="noreplyjoe@shop.example"), **POLICY) == ""
    assert "bounced" in rules.exclusion(facts(bounced=True), **POLICY)


def test_csat_and_nps():
    assert rules.csat(3, 1) == 0.75 and rules.csat(0, 0) is None
    assert rules.nps([10, 9, 8, 7, 6, 0]) == 0 and rules.nps([]) is None
    assert rules.nps([10, 10, 3]) == 100 * (2 - 1) / 3
    assert rules.nps_of(2, 0, 1) == rules.nps([10, 10, 3]) and rules.nps_of(0, 0, 0) is None
    assert [rules.nps_group(score) for score in (0, 6, 7, 8, 9, 10)] == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"]
