"""smtplib against caredesk's own SMTP receiver: the email corpus end to end, limits, and the reply loop
through the outbox to a peer mail server and back."""

from __future__ import annotations

import json
import re
import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from caredesk.channels import outbox
from caredesk.channels.models import InboundMessage, OutboundMessage
from caredesk.core.audit import Actor
from caredesk.customers.actions import create_customer
from caredesk.tickets.actions import add_interaction, create_ticket
from caredesk.tickets.models import Attachment, Ticket
from tests.e2e.channel_peers import CORPUS, peer_smtp_server, receiver_in_thread, wait_until
from tests.integration.channels.conftest import FIXTURE_SECRET, email_bytes, next_ticket_number_is

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def channel_settings(settings):
    settings.EMAIL_TOKEN_SECRET = FIXTURE_SECRET
    settings.EMAIL_ADDRESS = "support@example.com"
    settings.SMTP_HOST = ""
    return settings


@pytest.fixture
def smtp_port():
    with receiver_in_thread() as port:
        yield port


def send(port: int, raw: bytes, *, sender: str = "customer@example.org",
         recipients=("support@example.com",)) -> int:
    """Send one message with smtplib; returns the inbound message id from the 250 reply."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        code, reply = client.mail(sender)
        assert code == 250, reply
        for recipient in recipients:
            assert client.rcpt(recipient)[0] == 250
        code, reply = client.data(raw)
    assert code == 250, reply
    return int(re.search(rb"inbound message (\d+)", reply)[1])


def settled(inbound_id: int) -> InboundMessage:
    return wait_until(lambda: InboundMessage.objects.exclude(status="received").filter(pk=inbound_id).first(),
                      what=f"inbound message {inbound_id} to be processed")


def test_the_email_corpus_end_to_end_over_smtp(smtp_port, make_agent):
    actor = Actor.of_agent(make_agent("maria"))
    jane = create_customer(actor=actor, name="Jane Doe", emails=["jane.doe@gmail.com"])
    anna = create_customer(actor=actor, name="Anna Berg", emails=["anna.berg@icloud.com"])
    next_ticket_number_is(1234)
    jane_ticket = create_ticket(actor=actor, requester=jane, subject="Passport renewal form")
    next_ticket_number_is(1301)
    anna_ticket = create_ticket(actor=actor, requester=anna, subject="Passport renewal call")
    threaded = {"gmail_reply": jane_ticket.pk, "apple_mail_reply": anna_ticket.pk}

    for path in sorted(CORPUS.glob("*.eml")):
        expected = json.loads(path.with_suffix(".json").read_text())
        sender = "" if expected.get("automated") == "bounce" else expected.get("from_address", "x@example.org")
        raw = path.read_bytes()
        row = settled(send(smtp_port, raw, sender=sender))
        assert bytes(row.raw) == (raw if raw.endswith(b"\r\n") else raw + b"\r\n"), path.stem  # as smtplib sent it
        if expected.get("automated"):
            assert (row.status, row.automated_kind, row.interaction) == ("ignored", expected["automated"], None)
            continue
        assert row.status == "processed", (path.stem, row.outcome, row.error)
        body = row.interaction.body
        for fragment in expected.get("reply_body", {}).get("contains", []):
            assert fragment in body, (path.stem, fragment)
        for fragment in expected.get("reply_body", {}).get("excludes", []):
            assert fragment not in body, (path.stem, fragment)
        if "attachments" in expected:
            stored = list(Attachment.objects.filter(interaction=row.interaction).values_list("filename", flat=True))
            assert stored == [attachment["filename"] for attachment in expected["attachments"]], path.stem
        if path.stem in threaded:
            assert row.ticket_id == threaded[path.stem] and row.interaction.details["thread"] == "reply"
        else:
            assert row.ticket_id not in (jane_ticket.pk, anna_ticket.pk), path.stem  # forged token, tag of another
    assert not InboundMessage.objects.filter(status="failed").exists()


def test_a_50_megabyte_message_gets_552_and_nothing_is_stored(smtp_port):
    big = email_bytes(body="x" * 100) + (b"y" * 998 + b"\r\n") * 52_500  # 52 MB in 1000-byte lines
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=60) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # SIZE announced: refused at MAIL FROM
            client.sendmail("big@example.org", ["support@example.com"], big)
        assert refused.value.smtp_code == 552
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=60) as client:
        client.ehlo()
        client.mail("big@example.org")  # a client that does not declare the size: refused after DATA
        client.rcpt("support@example.com")
        code, _ = client.data(big)
        assert code == 552
    assert not InboundMessage.objects.exists()


def test_an_empty_message_is_refused_for_good_and_nothing_is_stored(smtp_port):
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        client.ehlo()
        client.mail("empty@example.org")
        client.rcpt("support@example.com")
        code, reply = client.data(b"")
    assert code == 554 and b"empty" in reply  # 5xx: the client does not send it again and again
    assert not InboundMessage.objects.exists()


def test_a_body_line_of_5000_characters_is_accepted_and_kept_whole(smtp_port):
    line = "".join(f"{number:05d}" for number in range(1000))  # 5,000 characters, no spaces to wrap at
    raw = email_bytes(body="x").replace(b"x\r\n", line.encode() + b"\r\n")
    row = settled(send(smtp_port, raw))
    assert row.status == "processed" and bytes(row.raw) == raw
    assert line in row.interaction.body


def test_a_duplicate_is_stored_then_ignored(smtp_port):
    raw = email_bytes(message_id="twice@mail.example.org")
    first, second = settled(send(smtp_port, raw)), settled(send(smtp_port, raw))
    assert first.status == "processed" and second.status == "ignored" and "duplicate" in second.outcome
    assert Ticket.objects.count() == 1


def test_the_reply_goes_out_and_the_customers_answer_threads_back(smtp_port, settings, make_agent):
    agent = make_agent("maria")
    first = settled(send(smtp_port, email_bytes(sender="dana@example.com", name="Dana Whitfield",
                                                subject="Photo rejected", message_id="dana-1@mail.example.com"),
                         sender="dana@example.com"))
    ticket = first.ticket
    with peer_smtp_server() as (peer_port, peer):
        settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_SECURITY = "127.0.0.1", peer_port, "none"
        add_interaction(ticket, actor=Actor.of_agent(agent), channel="email", direction="outbound", kind="message",
                        body="Please send a new photo.")
        assert outbox.deliver_due() == 1
    sender, recipients, delivered = peer.messages[0]
    sent = message_from_bytes(delivered, policy=policy.default)
    row = OutboundMessage.objects.get()
    assert (row.status, row.transport) == ("sent", "smtp") and recipients == ["dana@example.com"]
    assert sent["Message-ID"] == f"<{row.message_id}>" and sent["In-Reply-To"] == "<dana-1@mail.example.com>"
    assert sent["Subject"] == f"Re: [#{ticket.pk}] Photo rejected" and "Auto-Submitted" not in sent
    assert "Please send a new photo." in sent.get_body(("plain",)).get_content()

    answer = EmailMessage()
    answer["From"], answer["To"] = "Dana Whitfield <dana@example.com>", sent["Reply-To"]
    answer["Subject"], answer["Message-ID"] = f"Re: {sent['Subject']}", make_msgid(domain="mail.example.com")
    answer["In-Reply-To"], answer["References"] = sent["Message-ID"], sent["Message-ID"]
    answer.set_content("Here it is.\n\nOn Monday Customer Care wrote:\n> Please send a new photo.\n")
    reply = settled(send(smtp_port, answer.as_bytes(policy=policy.SMTP), sender="dana@example.com"))
    assert reply.ticket == ticket and reply.interaction.details["thread"] == "reply"
    assert reply.interaction.details["threaded_by"] == "in_reply_to" and reply.interaction.body == "Here it is."

    by_token = email_bytes(sender="dana@example.com", to=str(sent["Reply-To"]), subject="one more thing")
    token_reply = settled(send(smtp_port, by_token, sender="dana@example.com"))
    assert token_reply.ticket == ticket and token_reply.interaction.details["threaded_by"] == "token"


def test_the_real_world_corpus_over_smtp_is_answered_250_stored_and_read_right(smtp_port):
    for path in sorted((CORPUS / "real_world").glob("*.eml")):
        expected = json.loads(path.with_suffix(".json").read_text())
        raw = path.read_bytes()
        row = settled(send(smtp_port, raw, sender="" if expected["automated"] == "bounce" else "customer@example.org"))
        assert bytes(row.raw) == raw, path.stem
        if expected["automated"]:
            assert (row.status, row.automated_kind) == ("ignored", expected["automated"]), path.stem
            continue
        assert row.status == "processed", (path.stem, row.outcome, row.error)
        assert row.interaction.body.startswith(expected["reply_starts"]), path.stem
        assert row.ticket.requester.name == expected["from_name"], path.stem
        stored = list(Attachment.objects.filter(interaction=row.interaction).values_list("filename", flat=True))
        assert stored == [attachment["filename"] for attachment in expected["attachments"]], path.stem
