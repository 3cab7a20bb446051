"""Ticket tokens and subject tags: replies thread, forgeries do not."""

import pytest

from caredesk.channels.email.parsing import parse_message
from caredesk.channels.email.tokens import (
    ReferenceConfidence,
    TicketReference,
    find_ticket_reference,
    make_reply_to,
    make_subject,
    thread_candidates,
)

SECRET = "test-secret"


def parsed(*headers: str, subject: str = "Hello"):
    lines = ["From: jane@example.com", f"Subject: {subject}", *headers]
    return parse_message(("\r\n".join(lines) + "\r\n\r\nbody").encode(), max_attachment_bytes=1000)


def test_reply_to_carries_a_signed_lower_case_token():
    address = make_reply_to("Support@Example.com", 1234, SECRET)
    assert address.startswith("support+t-1234-") and address.endswith("@example.com")
    assert address == address.lower() and len(address.split("@")[0]) <= 64
    assert make_reply_to("support@example.com", 1234, SECRET) == address
    assert make_reply_to("support@example.com", 1234, "other-secret") != address


@pytest.mark.parametrize("ticket_number", [0, -1, True, "12"])
def test_tokens_need_a_positive_ticket_number(ticket_number):
    with pytest.raises(ValueError):
        make_reply_to("support@example.com", ticket_number, SECRET)


def test_tokens_need_a_secret_and_a_valid_base_address():
    with pytest.raises(ValueError):
        make_reply_to("support@example.com", 1, "")
    with pytest.raises(ValueError):
        make_reply_to("not an address", 1, SECRET)


@pytest.mark.parametrize("header", ["To", "Cc", "Delivered-To", "X-Original-To"])
def test_a_signed_token_in_any_recipient_header_is_found(header):
    token = make_reply_to("support@example.com", 77, SECRET)
    reference = find_ticket_reference(parsed(f"{header}: Support <{token}>", subject="[#99] other"), SECRET)
    assert reference == TicketReference(77, ReferenceConfidence.SIGNED)


def test_a_token_in_the_smtp_envelope_is_found():
    token = make_reply_to("support@example.com", 5, SECRET)
    assert find_ticket_reference(parsed(), SECRET, envelope_recipients=(token,)).ticket_number == 5


def test_a_forged_token_is_ignored_and_the_subject_tag_is_weak():
    genuine = make_reply_to("support@example.com", 41, SECRET)
    forged = genuine.replace("t-41-", "t-42-")
    reference = find_ticket_reference(parsed(f"To: {forged}", subject="Re: [#42] hello"), SECRET)
    assert reference == TicketReference(42, ReferenceConfidence.SUBJECT)
    assert find_ticket_reference(parsed(f"To: {forged}"), SECRET) is None
    assert find_ticket_reference(parsed("To: support+t-0-aaaaaaaaaaaaaaaa@example.com"), SECRET) is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Passport renewal", "[#1234] Passport renewal"),
        ("Re: Re: [#1234] Passport renewal", "Re: [#1234] Passport renewal"),
        ("RE: AW: Passport renewal", "Re: [#1234] Passport renewal"),
        ("Re: [#1234] Re: [#1234]  Passport\r\n renewal", "Re: [#1234] Passport renewal"),
        ("[#999] Fwd: Passport", "Re: [#1234] Passport"),
        ("", "[#1234]"),
    ],
)
def test_subjects_get_exactly_one_tag(subject, expected):
    assert make_subject(subject, 1234) == expected


def test_thread_candidates_are_most_specific_first_without_duplicates_or_itself():
    message = parsed(
        "Message-ID: <self@x>",
        "In-Reply-To: <parent@x>",
        "References: <root@x> <middle@x> <parent@x> <self@x>",
    )
    assert thread_candidates(message) == ["parent@x", "middle@x", "root@x"]
    assert thread_candidates(parsed()) == []
