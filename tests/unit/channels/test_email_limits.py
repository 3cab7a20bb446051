"""The limits checked on a message's raw bytes before it is parsed, and what a message over one shows."""

from __future__ import annotations

import pytest

from caredesk.channels.email import limits
from caredesk.channels.email.limits import MailLimits
from caredesk.channels.email.parsing import OVER_LIMIT_BODY, parse_message
from tests.fixtures import hostile_mail

DEFAULTS = MailLimits()
NORMAL = (b"From: Pat <pat@example.org>\r\nTo: support@example.com\r\nSubject: =?utf-8?q?Caf=C3=A9?= order\r\n"
          b"Message-ID: <normal@example.org>\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
          b"--b1\r\nContent-Type: text/plain\r\n\r\nHello.\r\n"
          b"--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@example.org\r\nSubject: inner\r\n\r\nInner.\r\n"
          b"--b1--\r\n")


def parse(raw: bytes, mail_limits: MailLimits = DEFAULTS):
    return parse_message(raw, max_attachment_bytes=10_000_000, mail_limits=mail_limits)


def test_an_ordinary_message_is_within_every_limit_and_parsed():
    assert limits.check(NORMAL, DEFAULTS) is None
    parsed = parse(NORMAL)
    assert parsed.over_limit is None and parsed.subject == "Café order" and parsed.text_body == "Hello."


@pytest.mark.parametrize(("raw", "mail_limits", "limit", "detail"), [
    (hostile_mail.subject_bomb(), DEFAULTS, "header_bytes", "the message: header block longer than 262144 bytes"),
    (hostile_mail.subject_bomb(2000), DEFAULTS, "header_field_bytes", "the message: header Subject longer than 65536"),
    (hostile_mail.subject_bomb(600), MailLimits(encoded_words=500), "encoded_words",
     "the message: header Subject has more than 500 encoded words"),
    (hostile_mail.many_parts(), DEFAULTS, "parts", "more than 1000 MIME parts"),
    (hostile_mail.nested(), DEFAULTS, "depth", "MIME parts nested more than 20 deep"),
    (NORMAL, MailLimits(parts=2), "parts", "more than 2 MIME parts"),
    (NORMAL, MailLimits(depth=1), "depth", "MIME parts nested more than 1 deep"),
    (NORMAL.replace(b"Content-Type: text/plain\r\n\r\nHello", b"Content-Type: text/plain\r\nX-Long: "
                    + b"a" * 300 + b"\r\n\r\nHello"), MailLimits(header_field_bytes=200), "header_field_bytes",
     "part 1: header X-Long longer than 200 bytes"),
    (NORMAL, MailLimits(header_bytes=100), "header_bytes", "the message: header block longer than 100 bytes"),
], ids=["subject bomb", "one long header", "encoded words", "50,000 parts", "100 nested messages",
        "parts counted inside an enclosed message", "depth of an enclosed message", "a part's header",
        "a header block without its end in reach"])
def test_the_first_limit_a_message_goes_over_is_named(raw, mail_limits, limit, detail):
    over = limits.check(raw, mail_limits)
    assert over is not None and over.limit == limit and over.detail.startswith(detail)


def test_a_message_over_a_limit_is_not_parsed_but_shows_what_is_safe_and_carries_itself():
    raw = hostile_mail.subject_bomb()
    parsed = parse(raw)
    assert parsed.over_limit.limit == "header_bytes" and parsed.defects == (parsed.over_limit.detail,)
    assert parsed.from_address == "mallory@example.org" and parsed.from_name == "Mallory"
    assert parsed.message_id == "bomb@example.org" and not parsed.message_id_generated
    assert parsed.subject.startswith("Ünïcödé subject word") and len(parsed.subject) <= 200
    assert parsed.subject.endswith("…") and parsed.text_body == parsed.reply_body == OVER_LIMIT_BODY
    [original] = parsed.attachments
    assert original.content == raw and original.content_type == "message/rfc822"


def test_an_original_too_large_to_attach_is_listed_as_skipped():
    raw = hostile_mail.many_parts()
    parsed = parse_message(raw, max_attachment_bytes=1000)
    assert parsed.attachments == () and parsed.skipped_attachments[0].reason == "too_large"
    assert parsed.skipped_attachments[0].size == len(raw)


def test_a_safe_reading_survives_a_missing_or_damaged_header():
    reading = limits.read_safely(b"Subject: =?utf-8?b?broken\r\n\r\nbody")
    assert reading.from_address == "" and reading.message_id is None
    assert limits.read_safely(b"Subject:plain\r\nFrom: a@example.org\r\n\r\n").subject == "plain"
