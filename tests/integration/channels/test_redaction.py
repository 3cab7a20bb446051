"""A redaction reaches every copy of the text the installation keeps of a ticket: its subject, description and
timeline, the email as received (which "show original" serves), the outbox, an escalation's reason, a case's
written fields, and the values its history quotes (each event kind declares which); the history says where and
how often, never what."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from caredesk.cases.actions import NewCase, open_case
from caredesk.cases.models import Case, PrimaryReason
from caredesk.channels.email.parsing import parse_message
from caredesk.channels.models import InboundMessage, OutboundMessage
from caredesk.core.audit import Actor
from caredesk.escalations import actions as escalation_actions
from caredesk.escalations.models import Escalation
from caredesk.search import queries
from caredesk.tickets import actions, use_cases
from caredesk.tickets.models import Channel, Interaction, TicketEvent

CARD = "4111 1111 1111 1111"
MAIL = ("From: Pat Lee <pat@example.org>\r\nTo: support@example.com\r\nSubject: Card 4111 1111 1111 1111 declined\r\n"
        "Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <card-1@example.org>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Bonjour, ma carte 4111 1111 1111 1111 a =C3=A9t=C3=A9 refus=C3=A9e.\r\n--b1\r\n"
        "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "PHA+Qm9uam91ciwgbWEgY2FydGUgNDExMSAxMTExIDExMTEgMTExMSBhIMOpdMOpIHJlZnVzw6llLjwvcD4=\r\n"
        "--b1--\r\n").encode()


@pytest.fixture
def everywhere(agent, receive):
    """A ticket from an email with the card in its subject and both bodies, then the card in a changed
    description, a reply (the outbox), an escalation's reason and a case's description."""
    actor = Actor.of_agent(agent)
    inbound = receive(MAIL)
    ticket = inbound.ticket
    actions.update_ticket(ticket, actor=actor, description=f"Customer's card: {CARD}.")
    use_cases.reply(ticket, actor=actor, body=f"We will not keep your card {CARD} on file.")
    escalation_actions.record_request(ticket, agent=agent, reason=f"Angry that {CARD} was charged twice")
    call = actions.add_interaction(ticket, actor=actor, channel=Channel.PHONE, direction="inbound", kind="call",
                                   call_outcome="answered", body="Called about the card.")
    case = open_case(ticket, agent=agent, new=NewCase(
        primary_reason=PrimaryReason.objects.get(key="installation_concern").pk,
        description=f"Charged twice on {CARD}.", installer_point_of_view="Not involved.", interaction=call.pk,
        concern_type="Billing", red_flags="Two charges.", other_concerns="None.", welcome_call_voice_matches=True,
        certificate_of_completion_reviewed=True, documentation="not_needed"))
    return ticket, inbound, case


def test_a_redaction_reaches_every_copy_and_says_where(agent, everywhere):
    ticket, inbound, case = everywhere
    assert [hit.source for hit in queries.search(f'"{CARD}"', agent=agent).hits]
    done = actions.redact(ticket, actor=Actor.of_agent(agent), text=CARD)

    ticket.refresh_from_db()
    assert (ticket.subject, ticket.description) == ("Card [redacted] declined", "Customer's card: [redacted].")
    assert not Interaction.objects.filter(ticket=ticket, body__contains="4111").exists()
    email = Interaction.objects.get(ticket=ticket, channel="email", direction="inbound")
    assert "4111" not in str(email.details) and "[redacted]" in email.details["html"]  # "Show original" shows them
    assert email.details["subject"] == "Card [redacted] declined"
    raw = bytes(InboundMessage.objects.get(pk=inbound.pk).raw)
    parsed = parse_message(raw, max_attachment_bytes=1_000_000)
    assert b"4111" not in raw and "4111" not in parsed.subject + parsed.reply_body + parsed.html_body
    assert parsed.reply_body == "Bonjour, ma carte [redacted] a été refusée." and "[redacted]" in parsed.html_body
    reply = OutboundMessage.objects.get(ticket=ticket)
    assert "[redacted]" in reply.subject and reply.body.count("[redacted]") == 1
    assert Escalation.objects.get(ticket=ticket).reason == "Angry that [redacted] was charged twice"
    assert Case.objects.get(pk=case.pk).description == "Charged twice on [redacted]."
    quoted = TicketEvent.objects.filter(ticket=ticket, action__in=[
        "ticket.created", "description.changed", "escalation.requested"])  # the subject, the text, the reason
    assert len(quoted) == 3 and all("4111" not in str((event.before, event.after)) for event in quoted)
    assert "[redacted]" in quoted.get(action="escalation.requested").after["reason"]
    assert queries.search("4111", agent=agent).hits == []

    assert done["subject"] == 1 and done["description"] == 1 and len(done["interactions"]) == 2
    assert done["records"] == {"the emails as received": 3, "the outbox": 2, "the ticket's history": 4,
                               "escalations": 1, "cases": 1}
    recorded = {event.after["record"]: event.after for event in TicketEvent.objects.filter(
        ticket=ticket, action="record.redacted")}
    assert recorded["cases"] == {"record": "cases", "ids": [case.pk], "occurrences": 1}
    assert recorded["the emails as received"]["ids"] == [inbound.pk]
    assert not TicketEvent.objects.filter(ticket=ticket, action__endswith=".redacted",
                                          after__icontains="4111").exists()


def test_the_history_can_be_rewritten_by_a_redaction_only(agent, everywhere):
    ticket, _, _ = everywhere
    event = TicketEvent.objects.get(ticket=ticket, action="description.changed")
    table = TicketEvent._meta.db_table
    for change, values in (("action = %s", ["ticket.deleted"]), ("after = %s", ['"nothing to see"']),
                           ("after = %s, action = %s", ['"[redacted]"', "x.changed"])):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {change} WHERE id = %s", [*values, event.pk])
    with connection.cursor() as cursor:  # what a redaction writes passes
        cursor.execute(f"UPDATE {table} SET after = %s WHERE id = %s", ['"Customer\'s card: [redacted]."', event.pk])
    event = TicketEvent.objects.get(pk=event.pk)
    assert (event.action, event.after) == ("description.changed", "Customer's card: [redacted].")
