"""Normalising emails and phones, and finding phone numbers in free text. No database."""

from __future__ import annotations

import pytest

from caredesk.core.errors import ValidationFailed
from caredesk.customers.contact import display_phone, find_phone_numbers, normalize_email, normalize_phone


@pytest.mark.parametrize(("raw", "expected"), [
    ("dana@example.com", "dana@example.com"),
    ("  Dana.Whitfield@Example.COM ", "dana.whitfield@example.com"),
    ("first+tag@sub.example.org", "first+tag@sub.example.org"),
])
def test_normalize_email(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_normalize_email_requires_a_value(raw):
    with pytest.raises(ValidationFailed, match="required") as caught:
        normalize_email(raw, field="emails[0]")
    assert caught.value.field == "emails[0]"


@pytest.mark.parametrize("raw", ["dana", "dana@", "@example.com", "da na@example.com", "dana@@example.com",
                                 "dana@example", "dana@exa\x00mple.com"])
def test_normalize_email_refuses_invalid(raw):
    with pytest.raises(ValidationFailed, match="not a valid email address") as caught:
        normalize_email(raw)
    assert caught.value.field == "email"


def test_normalize_email_refuses_addresses_longer_than_254_characters():
    longest = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 57]) + ".com"
    assert len(longest) == 254
    assert normalize_email(longest) == longest
    with pytest.raises(ValidationFailed, match="at most 254") as caught:
        normalize_email("a" + longest, field="emails[2]")
    assert caught.value.field == "emails[2]"


@pytest.mark.parametrize(("raw", "expected"), [
    ("+1 415 555 0132", "+14155550132"),
    ("(415) 555-0132", "+14155550132"),
    ("415.555.0132", "+14155550132"),
    ("1-415-555-0132", "+14155550132"),
    ("+44 20 7946 0958", "+442079460958"),
    ("  +14155550132  ", "+14155550132"),
])
def test_normalize_phone_to_e164(raw, expected):
    assert normalize_phone(raw) == expected


def test_normalize_phone_reads_numbers_in_the_given_region():
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_normalize_phone_requires_a_value(raw):
    with pytest.raises(ValidationFailed, match="required") as caught:
        normalize_phone(raw, field="phones[1]")
    assert caught.value.field == "phones[1]"


@pytest.mark.parametrize("raw", ["hello", "+", "++1", "1" * 300])
def test_normalize_phone_refuses_text_that_is_no_number(raw):
    with pytest.raises(ValidationFailed, match="is not a phone number") as caught:
        normalize_phone(raw)
    assert caught.value.field == "phone"


@pytest.mark.parametrize("raw", ["123", "+1 555 0100", "+1 000 000 0000", "555-0132"])
def test_normalize_phone_refuses_invalid_numbers(raw):
    with pytest.raises(ValidationFailed, match="phone number") as caught:
        normalize_phone(raw)
    assert caught.value.field == "phone"


def test_find_phone_numbers_in_an_email_body():
    body = ("Hi, please call me back at (415) 555-0132 or on my cell +1 650 253 0000.\n"
            "My old number 415-555-0132 is the same. Order 12345.")
    assert find_phone_numbers(body) == ["+14155550132", "+16502530000"]


def test_find_phone_numbers_keeps_first_seen_order_and_limit():
    body = " ".join(f"+1 415 555 01{index:02d}" for index in range(10, 20))
    found = find_phone_numbers(body, limit=3)
    assert found == ["+14155550110", "+14155550111", "+14155550112"]


@pytest.mark.parametrize("text", ["", None, "no numbers here", "order 12345 on 2026-03-02"])
def test_find_phone_numbers_finds_nothing(text):
    assert find_phone_numbers(text) == []


def test_find_phone_numbers_with_region():
    assert find_phone_numbers("Ring 020 7946 0958 please", region="GB") == ["+442079460958"]


def test_display_phone():
    assert display_phone("+14155550132") == "+1 415-555-0132"
    assert display_phone("not a number") == "not a number"
