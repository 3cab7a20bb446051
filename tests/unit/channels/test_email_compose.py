"""compose_message: threading headers, loop protection, and refusal of header injection."""

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredesk.channels.email.compose import HeaderInjection, InvalidAddress, compose_message, make_message_id
from caredesk.channels.email.parsing import parse_message

WHEN = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def compose(**overrides):
    arguments = dict(
        from_address="support@example.com",
        from_name="Care Team",
        to=["jane@example.org"],
        subject="[#12] Passport",
        text="Hello Jane",
        message_id="abc123@example.com",
        date=WHEN,
    )
    return compose_message(**(arguments | overrides))


def test_a_reply_threads_and_round_trips_through_the_parser():
    message = compose(thread=["root@x.example", "parent@y.example"], reply_to="support+t-12-abc@example.com", html="<p>Hi</p>")
    parsed = parse_message(message.as_bytes(policy=policy.SMTP), max_attachment_bytes=1000)
    assert parsed.message_id == "abc123@example.com"
    assert parsed.in_reply_to == "parent@y.example"
    assert parsed.references == ("root@x.example", "parent@y.example")
    assert parsed.reply_to == "support+t-12-abc@example.com"
    assert (parsed.text_body, parsed.html_body) == ("Hello Jane", "<p>Hi</p>")
    assert parsed.from_name == "Care Team" and parsed.date == WHEN
    assert message["Auto-Submitted"] is None


def test_automatic_notifications_are_marked_so_responders_stay_quiet():
    message = compose(automatic=True)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"


def test_long_threads_keep_the_first_and_the_latest_references():
    thread = [f"m{number}@x.example" for number in range(30)]
    references = str(compose(thread=thread)["References"]).split()
    assert len(references) == 20 and references[0] == "<m0@x.example>" and references[-1] == "<m29@x.example>"


def test_message_ids_are_unique_on_the_given_domain():
    first, second = make_message_id("mail.example.com"), make_message_id("mail.example.com")
    assert first != second and first.endswith("@mail.example.com")
    with pytest.raises(ValueError):
        make_message_id("bad domain")


@pytest.mark.parametrize(
    ("field", "value"),
    [("to", ["not an address"]), ("cc", ["x@"]), ("from_address", "@example.com"), ("reply_to", "a@b"), ("to", ["josé@example.com"])],
)
def test_invalid_addresses_are_refused_naming_the_field(field, value):
    with pytest.raises(InvalidAddress) as error:
        compose(**{field: value})
    assert error.value.field == field


def test_naive_dates_empty_recipients_and_bad_message_ids_are_refused():
    for overrides in ({"date": datetime(2025, 3, 3)}, {"to": []}, {"message_id": "<abc@x>"}, {"thread": ["no-at-sign"]}):
        with pytest.raises(ValueError):
            compose(**overrides)


LINE_BREAKS = st.sampled_from(["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x00"])
INJECTED = st.tuples(st.text(max_size=20), LINE_BREAKS, st.text(max_size=20)).map("".join)
FIELDS = {
    "subject": lambda value: value,
    "from_name": lambda value: value,
    "from_address": lambda value: value,
    "to": lambda value: ["ok@example.com", value],
    "cc": lambda value: [value],
    "reply_to": lambda value: value,
    "message_id": lambda value: value,
    "thread": lambda value: ["ok@example.com", value],
}


@given(st.sampled_from(sorted(FIELDS)), INJECTED)
def test_a_line_break_in_any_header_field_is_refused(field, value):
    with pytest.raises(HeaderInjection) as error:
        compose(**{field: FIELDS[field](value)})
    assert error.value.field == field
    assert field in str(error.value)


def test_the_classic_bcc_injection_never_reaches_the_wire():
    with pytest.raises(HeaderInjection):
        compose(subject="Hello\r\nBcc: victim@example.net")
    wire = compose(subject="Hello Bcc: victim@example.net").as_bytes()
    assert "Bcc" not in message_from_bytes(wire, policy=policy.default)
