"""Several stored messages processed in one transaction: each in its own savepoint, each seeing the ones before it."""

from __future__ import annotations

import pytest

from caredesk.channels import actions, inbound
from caredesk.channels.models import InboundMessage
from caredesk.customers.models import Customer
from caredesk.tickets.models import Interaction, Ticket
from tests.integration.channels.conftest import email_bytes

pytestmark = pytest.mark.django_db


def stored(*raws: bytes) -> list[int]:
    return [actions.store_inbound(raw, source="smtp", envelope_sender="pat@example.org").pk for raw in raws]


def test_a_batch_sees_the_customers_tickets_and_message_ids_of_its_earlier_messages():
    first, second, again = stored(
        email_bytes(message_id="a@mail.example.org", body="First."),
        email_bytes(message_id="b@mail.example.org", subject="Another", body="Second."),
        email_bytes(message_id="a@mail.example.org", body="First."),
    )
    assert inbound.process_batch([first, second, again]) == {first: "processed", second: "processed", again: "ignored"}
    assert Customer.objects.count() == 1 and Ticket.objects.count() == 1
    assert Interaction.objects.filter(ticket__requester__isnull=False).count() == 2
    assert InboundMessage.objects.get(pk=again).outcome == f"duplicate of inbound message #{first} (same Message-ID)"
    assert inbound.process_batch([first, second, again]) == {first: None, second: None, again: None}


def test_one_failing_message_rolls_back_alone(monkeypatch):
    receive = inbound.receive_customer_message

    def fails_on_the_second(ticket, **fields):
        if fields["body"] == "Second.":
            raise RuntimeError("a bug")
        return receive(ticket, **fields)

    monkeypatch.setattr(inbound, "receive_customer_message", fails_on_the_second)
    first, second, not_email, third = stored(
        email_bytes(sender="a@example.org", body="First."), email_bytes(sender="b@example.org", body="Second."),
        b"not an email\r\n", email_bytes(sender="c@example.org", body="Third."),
    )
    statuses = inbound.process_batch([first, second, not_email, third])
    assert statuses == {first: "processed", second: "failed", not_email: "failed", third: "processed"}
    failed = InboundMessage.objects.get(pk=second)
    assert "a bug" in failed.error and failed.next_attempt_at is not None  # retried from the raw copy
    assert InboundMessage.objects.get(pk=not_email).next_attempt_at is None
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Pat Lee", "Pat Lee"]  # b's was rolled back
    assert not Interaction.objects.filter(body="Second.").exists()


def test_batches_bound_the_count_and_the_bytes():
    sizes = [(1, 10), (2, 10), (3, 100), (4, 10), (5, 10), (6, 10)]
    assert list(inbound.batches(sizes, most=3, most_bytes=50)) == [[1, 2], [3], [4, 5, 6]]


def test_a_reply_threads_to_a_message_of_the_same_batch_and_to_one_of_an_earlier_batch():
    [first] = stored(email_bytes(sender="ann@example.org", message_id="first@mail.example.org", subject="Passport"))
    assert inbound.process_batch([first]) == {first: "processed"}
    later, other, reply_to_later = stored(
        email_bytes(sender="bob@example.org", message_id="later@mail.example.org", in_reply_to="first@mail.example.org"),
        email_bytes(sender="cy@example.org", message_id="other@mail.example.org", subject="Unrelated"),
        email_bytes(sender="dee@example.org", message_id="reply@mail.example.org",
                    references=["later@mail.example.org"]),
    )
    inbound.process_batch([later, other, reply_to_later])
    tickets = {row.pk: (row.ticket_id, row.interaction.details["threaded_by"])
               for row in InboundMessage.objects.filter(pk__in=[first, later, other, reply_to_later])}
    ticket = tickets[first][0]
    assert tickets[later] == (ticket, "in_reply_to")
    assert tickets[reply_to_later] == (ticket, "references")  # to a message of this same batch
    assert tickets[other][0] != ticket and tickets[other][1] == "new_ticket"
