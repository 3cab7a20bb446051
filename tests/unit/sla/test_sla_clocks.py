"""SLA clocks computed from a ticket's history (caredesk.sla.clocks), on business hours, to the second."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from caredesk.calendars.hours import BusinessHours
from caredesk.sla import clocks
from caredesk.sla.clocks import (
    AGENT_REPLY, CREATED, CUSTOMER_MESSAGE, FIRST_REPLY, NEXT_REPLY, PERIODIC_UPDATE, RESOLUTION, STATUS,
    UPDATE_PROMISED, Happening, Target,
)

NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessHours(timezone="America/New_York", week=(((540, 1020),),) * 5 + ((), ()), holiday_country="US")
WAITING = frozenset({"pending", "on_hold"})
TARGETS = [Target(FIRST_REPLY, 60, warn_minutes=15), Target(NEXT_REPLY, 120),
           Target(PERIODIC_UPDATE, 480, WAITING), Target(RESOLUTION, 960, WAITING, warn_percent=80)]


def at(day, hour, minute=0) -> datetime:
    return datetime(2025, 9, day, hour, minute, tzinfo=NEW_YORK)  # 15 September 2025 is a Monday


def created(day=15, hour=9) -> Happening:
    return Happening(at(day, hour), CREATED, "open")


def by_key(history, now, targets=TARGETS):
    return {clock.key: clock for clock in clocks.compute(history, targets, OFFICE, now)}


def test_first_reply_met():
    result = by_key([created(), Happening(at(15, 9, 40), AGENT_REPLY)], at(15, 12))
    first = result[(FIRST_REPLY, 1)]
    assert (first.state, first.breached, first.ended_at, first.used_seconds) == ("fulfilled", False, at(15, 9, 40), 2400)


def test_first_reply_breached_while_running_and_when_answered_late():
    running = by_key([created()], at(15, 10, 1))[(FIRST_REPLY, 1)]
    assert (running.state, running.breached, running.due_at) == ("running", True, at(15, 10))
    late = by_key([created(), Happening(at(15, 11), AGENT_REPLY)], at(15, 12))[(FIRST_REPLY, 1)]
    assert (late.state, late.breached) == ("fulfilled", True)


def test_due_times_and_warnings_count_business_hours_over_a_weekend_and_labor_day():
    result = by_key([Happening(at(12, 16, 30), CREATED, "open")], at(12, 16, 31))  # Friday 12 Sep 16:30
    assert result[(FIRST_REPLY, 1)].due_at == at(15, 9, 30)  # 30 minutes Friday, 30 minutes Monday
    assert result[(FIRST_REPLY, 1)].warn_at == at(15, 9, 15)
    labor_day = datetime(2025, 8, 29, 16, 30, tzinfo=NEW_YORK)  # Friday before Labor Day
    first = clocks.compute([Happening(labor_day, CREATED, "open")], TARGETS, OFFICE, labor_day)[0]
    assert first.due_at == datetime(2025, 9, 2, 9, 30, tzinfo=NEW_YORK)


def test_pending_pauses_resolution_but_not_first_reply():
    history = [created(), Happening(at(15, 9, 10), STATUS, "pending")]
    result = by_key(history, at(15, 11))
    assert result[(FIRST_REPLY, 1)].state == "running" and result[(FIRST_REPLY, 1)].breached
    resolution = result[(RESOLUTION, 1)]
    assert (resolution.state, resolution.paused_by, resolution.due_at, resolution.used_seconds) == (
        "paused", "pending", None, 600)
    resumed = by_key(history + [Happening(at(16, 9), STATUS, "open")], at(16, 9))[(RESOLUTION, 1)]
    assert resumed.state == "running" and resumed.due_at == at(17, 16, 50)  # 16h less the 10 minutes used


def test_an_agent_reply_fulfils_next_reply_and_a_customer_message_starts_it_again():
    history = [created(), Happening(at(15, 9, 30), AGENT_REPLY), Happening(at(15, 10), CUSTOMER_MESSAGE),
               Happening(at(15, 10, 30), AGENT_REPLY), Happening(at(15, 13), CUSTOMER_MESSAGE)]
    result = by_key(history, at(15, 18))
    assert result[(NEXT_REPLY, 1)].state == "fulfilled" and not result[(NEXT_REPLY, 1)].breached
    second = result[(NEXT_REPLY, 2)]
    assert (second.state, second.due_at, second.breached) == ("running", at(15, 15), True)
    assert result[(FIRST_REPLY, 1)].state == "fulfilled"  # first reply stays its own metric


def test_a_customer_message_before_the_first_reply_does_not_start_next_reply():
    result = by_key([created(), Happening(at(15, 9, 20), CUSTOMER_MESSAGE)], at(15, 9, 30))
    assert (NEXT_REPLY, 1) not in result and result[(FIRST_REPLY, 1)].due_at == at(15, 10)


def test_periodic_update_restarts_with_each_reply_and_stops_when_solved():
    history = [created(), Happening(at(15, 12), AGENT_REPLY), Happening(at(16, 11), STATUS, "solved")]
    result = by_key(history, at(17, 9))
    assert result[(PERIODIC_UPDATE, 1)].state == "fulfilled"
    assert (result[(PERIODIC_UPDATE, 2)].state, result[(PERIODIC_UPDATE, 2)].breached) == ("stopped", False)
    assert result[(RESOLUTION, 1)].state == "fulfilled"


def test_reopening_resumes_resolution_with_the_time_used():
    history = [created(), Happening(at(15, 13), STATUS, "solved"), Happening(at(16, 9), STATUS, "open")]
    resolution = by_key(history, at(16, 9))[(RESOLUTION, 1)]
    assert (resolution.state, resolution.used_seconds) == ("running", 4 * 3600)
    assert resolution.due_at == at(17, 13)


def test_a_promised_update_runs_while_pending_until_the_next_public_reply():
    """SOP 002: the customer agreed to wait for an update within 1 day; pending no longer pauses the periodic
    update (the customer waits on the team) until the agent's update, after which pending pauses it again."""
    history = [created(), Happening(at(15, 10), AGENT_REPLY), Happening(at(15, 10), STATUS, "pending")]
    paused = by_key(history, at(15, 11))[(PERIODIC_UPDATE, 2)]
    assert (paused.state, paused.paused_by, paused.pausing) == ("paused", "pending", WAITING)
    history.append(Happening(at(15, 14), UPDATE_PROMISED))
    held = by_key(history, at(15, 15))
    update = held[(PERIODIC_UPDATE, 2)]
    assert (update.state, update.promised, update.pausing, update.due_at) == ("running", True, frozenset(),
                                                                              at(16, 14))
    assert held[(RESOLUTION, 1)].state == "paused"  # the promise holds the update, not the resolution
    assert by_key(history + [Happening(at(15, 16), STATUS, "on_hold")], at(15, 17))[(PERIODIC_UPDATE, 2)].state == (
        "running")
    history.append(Happening(at(16, 11), AGENT_REPLY))
    given = by_key(history, at(16, 12))
    assert (given[(PERIODIC_UPDATE, 2)].state, given[(PERIODIC_UPDATE, 2)].breached) == ("fulfilled", False)
    assert (given[(PERIODIC_UPDATE, 3)].state, given[(PERIODIC_UPDATE, 3)].promised) == ("paused", False)


def test_a_promise_on_a_solved_ticket_starts_nothing():
    history = [created(), Happening(at(15, 10), STATUS, "solved"), Happening(at(15, 11), UPDATE_PROMISED)]
    assert [clock.state for clock in clocks.compute(history, TARGETS, OFFICE, at(15, 12))] == [
        "stopped", "stopped", "fulfilled"]


def test_a_shorter_target_recomputes_the_due_time_from_the_history():
    history = [created(), Happening(at(15, 9, 30), AGENT_REPLY)]
    slow = by_key(history, at(15, 10))[(PERIODIC_UPDATE, 2)]
    fast = by_key(history, at(15, 10), [Target(PERIODIC_UPDATE, 60, WAITING)])[(PERIODIC_UPDATE, 2)]
    assert (slow.due_at, fast.due_at) == (at(16, 9, 30), at(15, 10, 30))


def test_next_breach_is_the_earliest_running_due_time():
    result = clocks.compute([created()], TARGETS, OFFICE, at(15, 9, 5))
    assert clocks.next_breach(result) == at(15, 10)
    assert clocks.describe_remaining(3900) == "1h 05m" and clocks.describe_remaining(-600) == "over by 10m"


kinds = st.sampled_from([AGENT_REPLY, CUSTOMER_MESSAGE, UPDATE_PROMISED, "pending", "open", "solved"])


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(1, 600), kinds), max_size=12))
def test_clocks_never_break_their_invariants(steps):
    history, moment = [created()], at(15, 9)
    status, owed = "open", False  # an update promised to the customer and not given yet
    for minutes, kind in steps:
        moment += timedelta(minutes=minutes)
        history.append(Happening(moment, STATUS, kind) if kind in ("pending", "open", "solved")
                       else Happening(moment, kind))
        owed = (owed or (kind == UPDATE_PROMISED and status != "solved")) and kind not in (AGENT_REPLY, "solved")
        status = kind if kind in ("pending", "open", "solved") else status
    result = clocks.compute(history, TARGETS, OFFICE, moment + timedelta(hours=1))
    first_reply = [clock for clock in result if clock.metric == FIRST_REPLY]
    assert len(first_reply) == 1
    for clock in result:
        assert clock.used_seconds >= 0
        assert (clock.due_at is None) == (clock.state != "running")
        assert clock.state != "paused" or clock.paused_by in clock.target.pausing
        if clock.state in ("running", "paused"):
            assert clock.breached == (clock.used_seconds >= clock.target.seconds)
        if clock.state == "running" and clock.due_at <= moment + timedelta(hours=1):
            assert clock.breached
    running = [clock.metric for clock in result if clock.state in ("running", "paused")]
    assert len(running) == len(set(running))  # at most one open cycle per metric
    if owed:  # a promised update runs whatever the status until it is given
        assert [(clock.state, clock.promised) for clock in result if clock.metric == PERIODIC_UPDATE
                and clock.state in ("running", "paused")] == [("running", True)]
