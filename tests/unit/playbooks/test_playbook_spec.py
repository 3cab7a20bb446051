"""Playbook files: the shipped defaults load, and malformed files get an error with file, line, field and expectation."""

from pathlib import Path

import pytest

from caredesk.playbooks.calendar import DayCalendar
from caredesk.playbooks.spec import (
    DEFAULTS_DIRECTORY,
    AddInternalNote,
    NewTask,
    PlaybookError,
    SetAssignee,
    SetStatus,
    ValueMatch,
    default_playbooks,
    latest_versions,
    load_playbook,
    load_playbooks,
    parse_playbook,
)

BAD = Path(__file__).with_name("bad")

VALID = """\
name: sample
version: 1
title: Sample
description: A sample playbook.
trigger:
  event: ticket_pending
days:
  count: calendar
  timezone: UTC
steps:
  - day: 1
    title: First attempt
    attempt: from_contact_data
    if_not_reached:
      - note: "1/2"
      - status: pending
restart_on: [call_missed]
stop_on: [customer_reply]
"""


def error_of(text: str) -> PlaybookError:
    with pytest.raises(PlaybookError) as raised:
        parse_playbook(text, "sample.yaml")
    return raised.value


def test_the_defaults_load():
    assert [playbook.name for playbook in default_playbooks()] == [
        "care_call_first",
        "escalation_voicemail_callback",
        "general_inquiry_follow_up",
        "irate_customer_escalation",
        "refund_request_follow_up",
    ]
    assert all(playbook.days == DayCalendar("business", "America/New_York", "US") for playbook in default_playbooks())


def test_days_may_name_the_team_calendar_they_count_on():
    assert parse_playbook(VALID, "sample.yaml").days.calendar is None  # the default calendar
    named = parse_playbook(VALID.replace("  timezone: UTC", "  timezone: UTC\n  calendar: uk_office"), "sample.yaml")
    assert named.days == DayCalendar("calendar", "UTC", calendar="uk_office")


def test_the_general_inquiry_default_reads_as_the_sop():
    playbook = {playbook.name: playbook for playbook in default_playbooks()}["general_inquiry_follow_up"]
    assert [(step.day, step.attempt is not None) for step in playbook.steps] == [
        (1, True), (2, False), (3, True), (4, False), (5, True)
    ]
    assert playbook.steps[0].if_not_reached == (AddInternalNote("1/3"), SetStatus("pending"))
    assert playbook.end.day == 6 and playbook.end.actions[2] == SetAssignee(working_agent=True)
    assert playbook.trigger.when[1].industry == ValueMatch(include=("us_passport",))
    assert playbook.file == str(DEFAULTS_DIRECTORY / "general_inquiry_follow_up.yaml")


def test_the_refund_default_excludes_us_passport_and_escalates_the_following_day():
    playbook = {playbook.name: playbook for playbook in default_playbooks()}["refund_request_follow_up"]
    assert playbook.trigger.when[0].industry == ValueMatch(exclude=("us_passport",))
    assert playbook.end.after_day == 3
    assert NewTask("escalation", "Escalate the ticket for the refund request", 4) in playbook.end.actions


def test_a_valid_minimal_playbook():
    playbook = parse_playbook(VALID)
    assert playbook.end is None and playbook.send_automatically == () and playbook.sop is None


@pytest.mark.parametrize(
    "file_name, line, field_path, expected",
    [
        ("misspelled_action.yaml", 22, "steps[2].if_not_reached[0].notes", "'note'"),
        ("unknown_time_zone.yaml", 9, "days.timezone", "an IANA time zone"),
        ("owner_without_mapping.yaml", 23, "end.actions[1].assignee", "'working_agent' or {owner: NAME}"),
    ],
)
def test_bad_files(file_name, line, field_path, expected):
    with pytest.raises(PlaybookError) as raised:
        load_playbook(BAD / file_name)
    error = raised.value
    assert (error.file, error.line, error.field_path) == (str(BAD / file_name), line, field_path)
    assert expected in error.expected
    assert str(error).startswith(f"{BAD / file_name}, line {line}: {field_path}: expected ")


@pytest.mark.parametrize(
    "old, new, line, field_path, expected, found",
    [
        ("title: Sample\n", "", 1, "title", "this required field", "it missing"),
        ("version: 1", "version: one", 2, "version", "a whole number of at least 1", "'one'"),
        ("version: 1", "version: 0", 2, "version", "a whole number of at least 1", "int 0"),
        ("name: sample", "name: Sample Playbook", 1, "name", "a key in lower case", "'Sample Playbook'"),
        ("event: ticket_pending", "event: ticket_pendng", 6, "trigger.event", "one of ticket_pending", "'ticket_pendng'"),
        ("      - status: pending", "      - status: on", 16, "steps[0].if_not_reached[1].status", "one of new", "the boolean true"),
        ("  timezone: UTC", "  timezone: UTC\n  holidays: NO", 10, "days.holidays", "text", "the boolean false (put the word in quotes"),
        ("  timezone: UTC", "  timezone: UTC\n  holidays: XX", 10, "days.holidays", "known to the holidays package", "Country XX"),
        ("  timezone: UTC", "  timezone: UTC\n  holiday_subdivision: NY", 10, "days.holiday_subdivision", "days.holidays", "no country"),
        ("  count: calendar", "  count: weekly", 8, "days.count", "one of calendar, business", "'weekly'"),
        ("  - day: 1", "  - day: 2", 11, "steps[0].day", "the first step on day 1", "day 2"),
        ("    attempt: from_contact_data", "    attempt: sms", 13, "steps[0].attempt", "one of from_contact_data, call", "'sms'"),
        ("    attempt: from_contact_data", "    attempt: call\n    no_action_needed: true", 11, "steps[0]", "exactly one of 'attempt'", "both"),
        ("    attempt: from_contact_data\n", "", 11, "steps[0]", "exactly one of 'attempt'", "neither"),
        ("      - note: \"1/2\"", "      - note: \"1/2\"\n        status: open", 15, "steps[0].if_not_reached[0]", "exactly one action", "2 of them"),
        ("      - note: \"1/2\"", "      - note: \"\"", 15, "steps[0].if_not_reached[0].note", "non-empty text", "empty text"),
        ("restart_on: [call_missed]", "restart_on: [call_missed, customer_reply]", 18, "stop_on[0]", "not also in restart_on", "'customer_reply'"),
        ("restart_on: [call_missed]", "restart_on: [call_missed, call_missed]", 17, "restart_on[1]", "each value once", "'call_missed' again"),
        ("restart_on: [call_missed]", "restart_on: []", 17, "restart_on", "a non-empty list", "a list"),
        ("title: Sample", "title: Sample\ntitle: Again", 4, "title", "each field once", "it a second time"),
        ("steps:", "stepz:", 10, "stepz", "'steps'", "unknown field 'stepz'"),
        ("  event: ticket_pending", "  event: ticket_pending\n  when:\n    - industri: ein", 8, "trigger.when[0].industri", "'industry'", None),
        ("  event: ticket_pending", "  event: ticket_pending\n  when:\n    - industry: {}", 8, "trigger.when[0].industry", "include and/or exclude", None),
        ("  event: ticket_pending", "  event: ticket_pending\n  when: {industry: ein}", 7, "trigger.when", "a non-empty list", "a mapping"),
    ],
)
def test_malformed_fields(old, new, line, field_path, expected, found):
    assert old in VALID
    error = error_of(VALID.replace(old, new, 1))
    assert (error.file, error.line, error.field_path) == ("sample.yaml", line, field_path)
    assert expected in error.expected
    if found is not None:
        assert found in error.found


END = """end:
  day: {day}
  title: Close
  outcome: {outcome}
  actions:
    - {action}
"""


@pytest.mark.parametrize(
    "day, outcome, action, line, field_path, expected",
    [
        (1, "unresponsive_closed", "status: solved", 20, "end.day", "at least 2"),
        (2, "closed", "status: solved", 22, "end.outcome", "one of unresponsive_closed"),
        (2, "unresponsive_closed", "create_task: {kind: meeting, title: x}", 24, "end.actions[0].create_task.kind", "one of call, email"),
        (2, "unresponsive_closed", "flag: Ready For Escalation", 24, "end.actions[0].flag", "a key in lower case"),
    ],
)
def test_malformed_end(day, outcome, action, line, field_path, expected):
    error = error_of(VALID + END.format(day=day, outcome=outcome, action=action))
    assert (error.line, error.field_path) == (line, field_path)
    assert expected in error.expected


def test_end_needs_exactly_one_of_day_or_after_day():
    error = error_of(VALID + END.format(day=2, outcome="unresponsive_closed", action="status: solved").replace("  day: 2\n", ""))
    assert (error.line, error.field_path) == (20, "end")
    assert "exactly one of 'day'" in error.expected


def test_send_automatically_only_email_and_text():
    error = error_of(VALID + "send_automatically:\n  call: call_script\n")
    assert (error.line, error.field_path) == (20, "send_automatically.call")


def test_invalid_yaml_points_at_the_line():
    error = error_of(VALID.replace("stop_on: [customer_reply]", "stop_on: [customer_reply"))
    assert error.line == 19 and error.expected == "valid YAML"


def test_an_empty_file():
    error = error_of("")
    assert error.expected == "a playbook mapping" and error.found == "an empty file"


def test_a_file_that_is_not_a_mapping():
    error = error_of("- just\n- a list\n")
    assert (error.line, error.expected, error.found) == (1, "a mapping", "a list")


def test_load_playbooks_rejects_a_repeated_name_and_version(tmp_path):
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID)
    with pytest.raises(PlaybookError, match="sample version 1 again"):
        load_playbooks(tmp_path)


def test_load_playbooks_keeps_several_versions_and_latest_versions_picks_the_highest(tmp_path):
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID.replace("version: 1", "version: 2"))
    playbooks = load_playbooks(tmp_path)
    assert [playbook.version for playbook in playbooks] == [1, 2]
    assert latest_versions(playbooks)["sample"].version == 2


def test_an_unreadable_file(tmp_path):
    with pytest.raises(PlaybookError, match="a readable UTF-8 file"):
        load_playbook(tmp_path / "missing.yaml")
