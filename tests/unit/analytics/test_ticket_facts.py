"""A ticket's facts from its events, without a database."""

from datetime import UTC, datetime, timedelta

from caredesk.analytics.facts import Event, elapsed, facts_of

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def reply(hours: float, actor: str = "agent", direction: str = "outbound") -> Event:
    return Event("interaction.message", at(hours), actor, after={"direction": direction})


def status(hours: float, before: str, after: str) -> Event:
    return Event("status.changed", at(hours), "agent", before=before, after=after)


def test_one_touch_first_response_and_resolution():
    found = facts_of([Event("ticket.created", T0, "customer"), reply(1, "customer", "inbound"), reply(2),
                      status(2, "open", "solved")])
    assert (found.created_at, found.first_response_at, found.first_solved_at) == (T0, at(2), at(2))
    assert found.agent_replies == 1 and found.reopen_count == 0 and found.one_touch is True


def test_reopened_tickets_are_not_one_touch_and_count_their_reopens():
    found = facts_of([Event("ticket.created", T0, "agent"), reply(1), status(1, "open", "solved"),
                      status(5, "solved", "open"), reply(6), status(6, "open", "solved"),
                      status(100, "solved", "closed")])
    assert found.first_solved_at == at(1) and found.first_reopened_at == at(5) and found.reopen_count == 1
    assert found.agent_replies == 1 and found.one_touch is False


def test_a_playbook_message_is_no_agent_response_and_unsolved_has_no_one_touch():
    found = facts_of([Event("ticket.created", T0, "agent"), reply(1, "playbook"), reply(3)])
    assert found.first_response_at == at(3) and found.one_touch is None


def test_elapsed_in_calendar_and_business_time():
    assert elapsed(T0, at(2)) == 7200 and elapsed(None, at(2)) is None
    assert elapsed(T0, at(2), lambda start, end: 42) == 42
