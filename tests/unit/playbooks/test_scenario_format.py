"""Simulator scenario files: times in every notation, and errors naming the file, line, field and expectation."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from caredesk.playbooks.scenario import AgentCompletesTask, AgentLogsCall, CustomerEmails, parse_scenario
from caredesk.playbooks.spec import PlaybookError

NEW_YORK = ZoneInfo("America/New_York")

VALID = """\
title: Sample
start: 2025-07-02 09:00 America/New_York
ticket:
  subject: Need your documents
  type: general_inquiry
  customer: {name: Casey, emails: casey@example.com}
  order: none
events:
  - at: day 1 09:00
    status: pending
  - at: +1h30m
    complete_task: {tried: [email], reached: false}
  - at: day 3 10:00
    customer_email: new
  - at: 2025-07-08T11:00:00-04:00
    log_call: {outcome: no_answer}
until: day 6 12:00
"""


def parse(text: str):
    return parse_scenario(text, "scenario.yaml")


def test_times_in_every_notation_follow_the_playbooks_business_days():
    scenario = parse(VALID)
    assert scenario.start == datetime(2025, 7, 2, 9, 0, tzinfo=NEW_YORK)
    assert [event.at for event in scenario.events] == [
        datetime(2025, 7, 2, 9, 0, tzinfo=NEW_YORK),
        datetime(2025, 7, 2, 10, 30, tzinfo=NEW_YORK),
        datetime(2025, 7, 7, 10, 0, tzinfo=NEW_YORK),  # day 3: Independence Day and the weekend skipped
        datetime(2025, 7, 8, 11, 0, tzinfo=NEW_YORK),
    ]
    assert scenario.until == datetime(2025, 7, 10, 12, 0, tzinfo=NEW_YORK)
    assert scenario.ticket.order is None and scenario.ticket.customer.emails == ("casey@example.com",)
    assert scenario.events[1].action == AgentCompletesTask(("email",), False)
    assert scenario.events[2].action.thread == "new" and isinstance(scenario.events[2].action, CustomerEmails)
    assert scenario.events[3].action == AgentLogsCall("no_answer")
    assert set(scenario.owners()) == {"Roxy V", "Vincent Ryan V"}


def test_closed_days_are_not_counted_by_day_n():
    scenario = parse(VALID + "closed_days:\n  - {date: 2025-07-07, description: Company holiday}\n")
    assert scenario.closed_days == ((datetime(2025, 7, 7).date(), "Company holiday"),)
    assert scenario.events[2].at == datetime(2025, 7, 8, 10, 0, tzinfo=NEW_YORK)  # day 3 moves past Monday 7 July
    assert "closed on 2025-07-07" in scenario.calendar.describe()


@pytest.mark.parametrize("change, line, field, expected", [
    (("start: 2025-07-02 09:00 America/New_York", "start: 2025-07-02 09:00"), 2, "start", "a date-time with an offset"),
    (("  - at: +1h30m", "  - at: tomorrow"), 11, "events[1].at", "'day N HH:MM'"),
    (("  - at: day 3 10:00", "  - at: day 1 08:00"), 13, "events[2].at", "a time at or after the previous event"),
    (("{tried: [email], reached: false}", "{tried: [fax]}"), 12, "events[1].complete_task.tried[0]", "one of email, call, text"),
    (("{tried: [email], reached: false}", "{reached: false}"), 12, "events[1].complete_task", "'tried: [channels]'"),
    (("    status: pending", "    status: pending\n    inbound_call: missed"), 9, "events[0]", "exactly one action"),
    (("customer_email: new", "customer_emial: new"), 14, "events[2].customer_emial", "'customer_email'"),
    (("until: day 6 12:00", "until: day 1 12:00"), 17, "until", "a time after the last event"),
    (("until: day 6 12:00", "until: day 6 12:00\nclosed_days:\n  - {date: 2025-07-32, description: Off}"), 19,
     "closed_days[0].date", "a date such as 2025-06-04"),
    (("  subject: Need your documents\n", ""), 4, "ticket.subject", "this required field"),
    # Every door refuses a call logged without its notes (SOP 000), so a scenario cannot ask for one.
    (("{outcome: no_answer}", "{outcome: no_answer, call_notes: false}"), 16, "events[3].log_call.call_notes",
     "one of the fields outcome"),
])
def test_a_bad_scenario_names_the_line_field_and_expectation(change, line, field, expected):
    with pytest.raises(PlaybookError) as raised:
        parse(VALID.replace(*change))
    error = raised.value
    assert (error.file, error.line, error.field_path) == ("scenario.yaml", line, field), str(error)
    assert expected in error.expected


def test_a_missing_playbook_file_is_named(tmp_path):
    with pytest.raises(PlaybookError) as raised:
        parse_scenario(VALID + "playbooks: [mine.yaml]\n", str(tmp_path / "scenario.yaml"))
    assert raised.value.field_path == "playbooks[0]" and "no such path" in raised.value.found
