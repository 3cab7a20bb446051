"""The outbox: agent replies and playbook messages written with their change, delivered with retries."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings

from caredesk.channels import outbox
from caredesk.channels.models import OutboundMessage
from caredesk.channels.providers import DeliveryFailed
from caredesk.core.audit import Actor
from caredesk.playbooks.signals import message_requested
from caredesk.tickets.actions import add_interaction
from caredesk.tickets.models import TicketEvent
from tests.integration.channels.conftest import email_bytes
from tests.integration.helpers import assert_problem, post_json

pytestmark = pytest.mark.django_db


def reply(ticket, agent, body="We have fixed it.", channel="email"):
    return add_interaction(ticket, actor=Actor.of_agent(agent), channel=channel, direction="outbound",
                           kind="message", body=body)


def test_an_agent_email_reply_is_queued_with_threading_headers(receive, agent):
    first = receive(email_bytes(message_id="customer-1@mail.example.org", subject="Broken form"))
    interaction = reply(first.ticket, agent)
    row = OutboundMessage.objects.get()
    assert (row.interaction, row.channel, row.status, row.origin) == (interaction, "email", "queued", "agent_reply")
    assert row.to == ["pat@example.org"] and row.subject == f"Re: [#{first.ticket.pk}] Broken form"
    assert row.in_reply_to == "customer-1@mail.example.org" and row.references == ["customer-1@mail.example.org"]
    assert row.message_id.endswith("@example.com") and row.reply_to.startswith(f"support+t-{first.ticket.pk}-")
    assert TicketEvent.objects.filter(ticket=first.ticket, action="outbound.queued").count() == 1


def test_notes_inbound_messages_and_logged_calls_send_nothing(ticket, agent):
    actor = Actor.of_agent(agent)
    add_interaction(ticket, actor=actor, channel="internal", direction="internal", kind="note", body="n")
    add_interaction(ticket, actor=actor, channel="phone", direction="outbound", kind="call", call_outcome="answered")
    add_interaction(ticket, actor=actor, channel="email", direction="inbound", kind="message", body="x",
                    author_customer=ticket.requester)
    assert not OutboundMessage.objects.exists()


def test_the_reply_and_its_outbox_row_commit_or_roll_back_together(ticket, agent, monkeypatch):
    monkeypatch.setattr(outbox.actions, "record_event", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        reply(ticket, agent)
    assert not OutboundMessage.objects.exists() and not ticket.interactions.exists()


def test_api_reply_goes_through_the_outbox_and_is_listed_on_the_ticket(api, ticket):
    response = post_json(api, f"/api/v1/tickets/{ticket.pk}/interactions", {"type": "reply", "body": "Hello Dana"})
    assert response.status_code == 201, response.content
    listed = api.get(f"/api/v1/tickets/{ticket.pk}/outbound-messages").json()
    assert [(m["status"], m["to"], m["channel"]) for m in listed] == [("queued", ["dana@example.com"], "email")]
    assert outbox.deliver_due() == 1
    listed = api.get(f"/api/v1/tickets/{ticket.pk}/outbound-messages").json()
    assert (listed[0]["status"], listed[0]["transport"], listed[0]["attempts"]) == ("sent", "console", 1)
    assert_problem(api.get("/api/v1/tickets/999999/outbound-messages"), 404)


def test_a_customer_without_an_address_gets_a_failed_row_not_a_crash(ticket, agent):
    ticket.requester.contact_points.all().delete()
    reply(ticket, agent)
    row = OutboundMessage.objects.get()
    assert row.status == "failed" and row.failure_reason == "the customer has no email address"
    assert outbox.deliver_due() == 0


def test_an_sms_reply_goes_to_the_customers_phone_through_the_console_provider(ticket, agent):
    reply(ticket, agent, body="Your passport shipped.", channel="sms")
    row = OutboundMessage.objects.get()
    assert (row.channel, row.to, row.message_id) == ("sms", ["+14155550132"], None)
    outbox.deliver_due()
    row.refresh_from_db()
    assert row.status == "sent" and row.transport == "console" and row.provider_id.startswith("console-")


def run_for(ticket, pk=7):
    return SimpleNamespace(pk=pk, definition=SimpleNamespace(name="general_inquiry_follow_up", version=3))


def request_message(ticket, *, key="day-2-email", channel="email", template="follow_up_email", to=()):
    responses = message_requested.send(sender=None, run=run_for(ticket), ticket=ticket, message_key=key,
                                       channel=channel, template=template, to=to)
    return [response for _, response in responses if isinstance(response, OutboundMessage)][0]


def test_a_playbook_message_renders_its_template_once_per_key(ticket):
    row = request_message(ticket)
    assert row.status == "queued" and row.automatic and row.origin == "playbook"
    assert row.subject == f"[#{ticket.pk}] Following up: Where is my passport?"
    assert "Hello Dana Whitfield" in row.body and row.author_label == "general_inquiry_follow_up@v3"
    assert request_message(ticket) == row and OutboundMessage.objects.count() == 1
    text = request_message(ticket, key="day-2-text", channel="text", template="follow_up_text")
    assert text.channel == "sms" and text.to == ["+14155550132"]


def test_an_unknown_template_records_a_failed_row(ticket):
    row = request_message(ticket, template="no_such_template")
    assert row.status == "failed" and 'no active email template named "no_such_template"' in row.failure_reason


def test_header_injection_in_a_recipient_is_refused_and_never_sent(ticket):
    row = request_message(ticket, to=("dana@example.com\r\nBcc: everyone@evil.example",))
    assert row.status == "failed" and "line break" in row.failure_reason
    assert outbox.deliver_due() == 0


def test_a_sent_playbook_message_appears_on_the_timeline_as_the_playbook(ticket):
    row = request_message(ticket)
    outbox.deliver_due()
    row.refresh_from_db()
    assert row.interaction.direction == "outbound" and row.interaction.author_label == "general_inquiry_follow_up@v3"
    assert row.interaction.details["outbound"] == row.pk


class FlakySmtp:
    def __init__(self, failures):
        self.failures = list(failures)
        self.sent = []

    def __call__(self, *args, **kwargs):
        return self

    def starttls(self, context=None):
        pass

    def login(self, *args):
        pass

    def quit(self):
        pass

    def send_message(self, message, from_addr, to_addrs):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return {}


def test_transient_smtp_failures_retry_with_backoff_then_send_with_the_same_message_id(
        ticket, agent, settings, monkeypatch, frozen_clock):
    settings.SMTP_HOST, settings.OUTBOX_RETRY_SECONDS = "smtp.example.com", 60
    server = FlakySmtp([smtplib.SMTPServerDisconnected("gone"), smtplib.SMTPResponseException(451, b"try later")])
    monkeypatch.setattr(smtplib, "SMTP", server)
    reply(ticket, agent)
    row = OutboundMessage.objects.get()
    outbox.deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == frozen_clock.now() + timedelta(seconds=60)
    assert outbox.deliver_due() == 0  # not due yet
    frozen_clock.advance(row.next_attempt_at - frozen_clock.now())
    outbox.deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts, "451" in row.failure_reason) == ("queued", 2, True)
    frozen_clock.advance(row.next_attempt_at - frozen_clock.now())
    outbox.deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.transport) == ("sent", 3, "smtp")
    assert server.sent[0]["Message-ID"] == f"<{row.message_id}>"


def test_a_permanent_refusal_fails_at_once(ticket, agent, settings, monkeypatch):
    settings.SMTP_HOST = "smtp.example.com"
    refusal = smtplib.SMTPRecipientsRefused({"dana@example.com": (550, b"no such user")})
    monkeypatch.setattr(smtplib, "SMTP", FlakySmtp([refusal]))
    reply(ticket, agent)
    outbox.deliver_due()
    row = OutboundMessage.objects.get()
    assert row.status == "failed" and "550 no such user" in row.failure_reason and row.next_attempt_at is None


def test_a_claimed_message_left_by_a_crash_is_claimed_again_after_its_lease(ticket, agent, frozen_clock):
    from caredesk.channels import actions

    reply(ticket, agent)
    assert len(actions.claim_due_outbound()) == 1  # claimed, then the worker died
    assert actions.claim_due_outbound() == []
    frozen_clock.advance(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
    assert outbox.deliver_due() == 1
    assert OutboundMessage.objects.get().status == "sent"


def test_sms_provider_failures_are_classified(ticket, agent, monkeypatch):
    class Refusing:
        name = "twilio"

        def send_sms(self, **kwargs):
            raise DeliveryFailed("Twilio refused the message (400): invalid number", permanent=True)

    monkeypatch.setattr(outbox, "sms_provider", lambda: Refusing())
    reply(ticket, agent, channel="sms")
    outbox.deliver_due()
    assert OutboundMessage.objects.get().status == "failed"
