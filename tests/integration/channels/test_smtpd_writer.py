"""The SMTP receiver's writing thread, driven directly: group commit, a bad message in a group, a client gone."""

from __future__ import annotations

import pytest

from caredesk.channels import inbound
from caredesk.channels.models import InboundMessage
from caredesk.channels.smtpd import Writer, _Arrival
from tests.integration.channels.conftest import email_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    writer = Writer()
    yield writer
    writer.parsers.shutdown()


def arrival(raw: bytes) -> _Arrival:
    return _Arrival(raw, "pat@example.org", ["support@example.com"])


def test_a_group_is_stored_together_and_one_bad_message_refuses_only_itself(writer):
    good, empty, other = arrival(email_bytes()), arrival(b"   \r\n"), arrival(email_bytes())
    writer._store([good, empty, other])
    stored = [good.stored.result(), other.stored.result()]
    assert sorted(InboundMessage.objects.values_list("pk", flat=True)) == sorted(stored)
    with pytest.raises(Exception, match="empty"):
        empty.stored.result()
    assert [inbound_id for inbound_id, _, _ in writer.stored] == stored  # queued for processing, in order


def test_a_client_that_hung_up_is_neither_stored_nor_answered(writer):
    gone, waiting = arrival(email_bytes()), arrival(email_bytes())
    gone.stored.cancel()
    writer._store([gone, waiting])
    assert InboundMessage.objects.get().pk == waiting.stored.result()
    assert gone.stored.cancelled()


def test_stored_messages_are_processed_in_batches(writer):
    writer._store([arrival(email_bytes(sender=f"c{number}@example.org")) for number in range(3)])
    writer._process(inbound.next_batch(writer.stored))
    assert list(InboundMessage.objects.values_list("status", flat=True)) == ["processed"] * 3
