"""Inbound email from the stored raw copy to the ticket: threading, customers, attachments, machine mail."""

from __future__ import annotations

import pytest

from caredesk.channels import actions, inbound
from caredesk.channels.models import InboundMessage
from caredesk.core.audit import Actor
from caredesk.customers.actions import create_customer
from caredesk.customers.models import Customer
from caredesk.tickets.actions import create_ticket, update_ticket
from caredesk.tickets.models import Attachment, Interaction, Ticket
from tests.integration.channels.conftest import corpus_message, email_bytes, next_ticket_number_is
from tests.integration.helpers import nothing_written

pytestmark = pytest.mark.django_db


def test_mail_from_an_unknown_sender_creates_the_customer_and_a_ticket(receive):
    row = receive(email_bytes(subject="Passport photo", body="My photo was rejected.\nCall me at (303) 555-0187."))
    assert row.status == "processed" and row.outcome.startswith("new ticket #")
    ticket = Ticket.objects.get()
    assert ticket.subject == "Passport photo" and ticket.channel == "email"
    assert ticket.requester.name == "Pat Lee" and ticket.requester.emails == ["pat@example.org"]
    assert ticket.requester.phones == ["+13035550187"]
    message = ticket.interactions.get()
    assert (message.channel, message.direction, message.kind) == ("email", "inbound", "message")
    assert message.author_customer == ticket.requester and message.external_id == row.message_id
    assert message.details["thread"] == "new" and message.details["raw_url"] == f"/api/v1/inbound-messages/{row.pk}/raw"
    assert "photo was rejected" in message.body


def test_a_reply_threads_by_in_reply_to_and_a_new_email_by_sender(receive):
    first = receive(email_bytes(message_id="first@mail.example.org"))
    reply = receive(email_bytes(subject="Re: Hello", body="More details.", in_reply_to="first@mail.example.org"))
    ticket = Ticket.objects.get()
    assert reply.ticket == first.ticket == ticket
    assert reply.interaction.details["thread"] == "reply" and reply.interaction.details["threaded_by"] == "in_reply_to"
    other = receive(email_bytes(subject="Another question", body="Different thing."))
    assert other.ticket == ticket and other.interaction.details["thread"] == "new"


def test_references_thread_when_in_reply_to_is_unknown(receive):
    first = receive(email_bytes(message_id="root@mail.example.org"))
    update_ticket(first.ticket, actor=Actor.system("test"), status="solved")
    reply = receive(email_bytes(sender="someone.else@example.net", in_reply_to="unknown@elsewhere.example",
                                references=["root@mail.example.org", "unknown@elsewhere.example"]))
    assert reply.ticket == first.ticket and reply.interaction.details["threaded_by"] == "references"
    first.ticket.refresh_from_db()
    assert first.ticket.status == "open"  # a reply to a solved ticket reopens it


def test_a_duplicate_message_id_is_ignored(receive):
    raw = email_bytes(message_id="same@mail.example.org")
    receive(raw)
    with nothing_written():
        again = receive(raw)
    assert again.status == "ignored" and "duplicate" in again.outcome
    assert Interaction.objects.filter(external_id="same@mail.example.org").count() == 1


def test_a_reply_to_a_closed_ticket_creates_the_linked_follow_up(receive):
    first = receive(email_bytes(message_id="closed-root@mail.example.org"))
    ticket = first.ticket
    update_ticket(ticket, actor=Actor.system("test"), status="solved")
    Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    reply = receive(email_bytes(in_reply_to="closed-root@mail.example.org", body="It broke again."))
    assert reply.ticket.follows_up == ticket and reply.status == "processed"
    assert "follow-up ticket" in reply.outcome
    assert reply.interaction.details["thread"] == "reply"


def test_signed_token_threads_and_subject_tag_needs_the_requester(receive, agent):
    actor = Actor.of_agent(agent)
    jane = create_customer(actor=actor, name="Jane Doe", emails=["jane.doe@gmail.com"])
    marc = create_customer(actor=actor, name="Marc Dupont", emails=["marc@dupont-logistics.example"])
    next_ticket_number_is(1234)
    ticket = create_ticket(actor=actor, requester=jane, subject="Passport renewal form")
    assert ticket.pk == 1234
    gmail = receive(corpus_message("gmail_reply")[0])
    assert gmail.ticket == ticket and gmail.interaction.details["threaded_by"] == "token"
    assert "Thanks, that fixed it!" in gmail.interaction.body and "wrote:" not in gmail.interaction.body
    outlook = receive(corpus_message("outlook_reply")[0])  # [#1234] in the subject, but from Marc
    assert outlook.ticket != ticket and outlook.ticket.requester == marc
    assert outlook.interaction.details["thread"] == "new"


@pytest.mark.parametrize("stem", ["bounce", "out_of_office", "newsletter"])
def test_machine_mail_is_recorded_without_a_ticket(receive, stem):
    raw, expected = corpus_message(stem)
    with nothing_written():
        row = receive(raw, envelope_sender="" if stem == "bounce" else "sender@example.org")
    assert row.status == "ignored" and row.automated_kind == expected["automated"]
    assert row.ticket is None and row.outcome.startswith("machine mail")


def test_attachments_become_supporting_documents_and_oversized_ones_are_noted(receive, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    row = receive(email_bytes(body="Two files.", attachments=[
        ("form.pdf", "application/pdf", b"%PDF-1.4 small"), ("scan.png", "image/png", b"\x89PNG" + b"x" * 5000),
    ]))
    documents = Attachment.objects.filter(ticket=row.ticket)
    assert [(d.filename, d.interaction_id) for d in documents] == [("form.pdf", row.interaction_id)]
    skipped = row.interaction.details["skipped_attachments"]
    assert skipped == [{"filename": "scan.png", "content_type": "image/png", "size": 5004, "reason": "too_large"}]


def test_corpus_attachments_keep_their_bytes(receive):
    raw, expected = corpus_message("attachments")
    row = receive(raw)
    stored = list(Attachment.objects.filter(ticket=row.ticket).values_list("filename", "sha256", "size"))
    assert stored == [(a["filename"], a["sha256"], a["size"]) for a in expected["attachments"]]


def test_html_is_sanitised_and_the_original_kept(receive):
    raw, _ = corpus_message("html_only")
    row = receive(raw)
    html = row.interaction.details["html"]
    assert "<script" not in html and "onclick" not in html.lower()
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == raw


def test_not_an_email_fails_clearly_and_is_not_retried(receive):
    with nothing_written():
        row = receive(b"this is not an email at all\r\n")
    assert row.status == "failed" and row.error.startswith("not an email message")
    assert row.next_attempt_at is None and inbound.process_pending() == 0


def test_malformed_mime_still_lands_with_its_defects(receive):
    raw, _ = corpus_message("malformed")
    row = receive(raw)
    assert row.status == "processed" and row.message_id.endswith("@generated.caredesk.invalid")
    assert any("header line without a colon" in defect for defect in row.interaction.details["defects"])


def test_a_processing_crash_keeps_the_raw_copy_for_the_worker(receive, monkeypatch, frozen_clock):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound, "receive_customer_message", broken)
    with nothing_written():
        row = receive(email_bytes(message_id="retry-me@mail.example.org"))
    assert row.status == "failed" and "database went away" in row.error and row.next_attempt_at is not None
    monkeypatch.undo()
    assert inbound.process_pending() == 0  # not due yet
    frozen_clock.advance(row.next_attempt_at - frozen_clock.now())
    assert inbound.process_pending() == 1
    row.refresh_from_db()
    assert row.status == "processed" and row.attempts == 1


def test_the_worker_picks_up_what_a_receiver_stored_but_never_processed(frozen_clock):
    row = actions.store_inbound(email_bytes(), source="smtp", envelope_sender="pat@example.org")
    assert inbound.process_pending() == 0  # the receiver has WORKER_GRACE to do it itself
    frozen_clock.advance(inbound.WORKER_GRACE)
    assert inbound.process_pending() == 1
    assert InboundMessage.objects.get(pk=row.pk).status == "processed"
    assert inbound.process_inbound(row.pk) is None  # processing twice does nothing


def test_mail_without_a_sender_is_ignored(receive):
    raw = b"To: support@example.com\r\nSubject: who am I\r\nMessage-ID: <anon@x.example>\r\n\r\nhello\r\n"
    with nothing_written():
        row = receive(raw)
    assert row.status == "ignored" and row.outcome == "no valid sender address"
    assert not Customer.objects.exists()


def test_a_forward_is_stored_whole_and_the_ticket_page_collapses_what_was_forwarded(receive, client, agent):
    body = ("Please see below, can you help?\n\n-----Original Message-----\nFrom: Billing <billing@vendor.example>\n"
            "Sent: Monday, March 3, 2025 9:12 AM\nSubject: Invoice 889\n\nAmount due: 120.00 EUR, ref 55-1182.\n")
    row = receive(email_bytes(subject="FW: Invoice 889", body=body))
    message = row.interaction
    assert message.body.startswith("Please see below, can you help?") and "ref 55-1182" in message.body
    assert message.body[message.details["forwarded_at"]:].startswith("-----Original Message-----")
    client.force_login(agent)
    page = client.get(f"/tickets/{row.ticket.pk}/").content.decode()
    timeline = page.partition('<section id="timeline"')[2]
    reply, _, forwarded = timeline.partition('<details class="forwarded">')
    assert "Please see below, can you help?" in reply and "ref 55-1182" not in reply
    assert "ref 55-1182" in forwarded.partition("</details>")[0]
