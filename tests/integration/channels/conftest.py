"""Fixtures for the channels tests: the corpus secret, ticket numbers the corpus names, message builders."""

from __future__ import annotations

import json
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from django.db import connection

from caredesk.core import clock

CORPUS = Path(__file__).parents[2] / "fixtures" / "email"
FIXTURE_SECRET = "fixture-secret"  # the corpus' reply-to tokens are signed with it


@pytest.fixture(autouse=True)
def channel_settings(settings):
    settings.EMAIL_TOKEN_SECRET = FIXTURE_SECRET
    settings.EMAIL_ADDRESS = "support@example.com"
    settings.SMTP_HOST = ""
    settings.SMS_PROVIDER = "console"
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.PUBLIC_URL = "https://desk.example.com"
    return settings


def corpus_message(stem: str) -> tuple[bytes, dict]:
    return (CORPUS / f"{stem}.eml").read_bytes(), json.loads((CORPUS / f"{stem}.json").read_text())


def next_ticket_number_is(number: int) -> None:
    """Make the next ticket get `number`, so a ticket the corpus refers to (#1234) can be created."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s, false)", [number])
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'tickets_ticket'")
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('tickets_ticket', %s)", [number - 1])


def email_bytes(*, sender="pat@example.org", name="Pat Lee", to="support@example.com", subject="Hello",
                body="I need help with my order.", message_id=None, in_reply_to=None, references=(),
                headers=None, attachments=()) -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.org")
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        message["References"] = " ".join(f"<{identifier}>" for identifier in references)
    for header, value in (headers or {}).items():
        message[header] = value
    message.set_content(body)
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


@pytest.fixture
def receive():
    """Store a raw message as the SMTP receiver does, then process it; returns the inbound row."""
    from caredesk.channels import actions, inbound
    from caredesk.channels.models import InboundMessage

    def receive_raw(raw: bytes, *, envelope_sender="sender@example.org", recipients=("support@example.com",)):
        row = actions.store_inbound(raw, source="smtp", envelope_sender=envelope_sender,
                                    envelope_recipients=recipients)
        inbound.process_inbound(row.pk)
        return InboundMessage.objects.get(pk=row.pk)

    return receive_raw
