"""Messages whose parsing failed twice: quarantined with their raw copy and reason, the queue moving on; an
Admin lists, retries or discards them (audited) through the API."""

from __future__ import annotations

import pytest

from caredesk.channels import actions, inbound, parsers
from caredesk.channels.models import ChannelEvent, InboundMessage
from caredesk.channels.parsers import ParseFailure
from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, NotFound
from caredesk.tickets.models import Attachment, Interaction, Ticket
from tests.fixtures import hostile_mail
from tests.integration.channels.conftest import email_bytes
from tests.integration.helpers import assert_problem

pytestmark = pytest.mark.django_db


def stored(raw: bytes) -> int:
    return actions.store_inbound(raw, source="smtp", envelope_sender="mallory@example.org").pk


def quarantined(raw: bytes = b"Subject: fine\r\n\r\nbody") -> InboundMessage:
    inbound_id = stored(raw)
    inbound.process_batch([inbound_id], {inbound_id: ParseFailure("parsing failed twice: over the time limit")})
    return InboundMessage.objects.get(pk=inbound_id)


def actions_of(row: InboundMessage) -> list[str]:
    return list(ChannelEvent.objects.filter(inbound=row).order_by("id").values_list("action", flat=True))


def test_a_message_that_exhausts_its_parser_twice_is_quarantined_and_the_next_one_is_processed(settings):
    settings.MAIL_MAX_HEADER_BYTES = settings.MAIL_MAX_HEADER_FIELD_BYTES = 10**9  # let the bomb reach the parser
    settings.MAIL_MAX_ENCODED_WORDS = 10**9
    settings.MAIL_PARSE_MEMORY_BYTES = 400 * 1024 * 1024
    settings.MAIL_PARSE_SECONDS = 2
    raw = hostile_mail.subject_bomb(6000, charsets=("utf-8", "iso-8859-1"))
    bomb, after = stored(raw), stored(email_bytes(sender="next@example.org"))
    assert inbound.process_batch([bomb, after]) == {bomb: "quarantined", after: "processed"}
    row = InboundMessage.objects.get(pk=bomb)
    assert row.error.startswith("parsing failed twice: ") and bytes(row.raw) == raw
    assert actions_of(row) == ["inbound.received", "inbound.quarantined"]
    assert inbound.process_pending() == 0  # nothing loops: the worker leaves it alone


def test_a_message_over_a_limit_becomes_a_ticket_with_its_original_and_a_note_naming_the_limit(receive):
    row = receive(hostile_mail.subject_bomb())
    assert row.status == "processed"
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert ticket.subject.startswith("Ünïcödé subject word") and ticket.requester.name == "Mallory"
    [original] = Attachment.objects.filter(ticket=ticket)
    assert original.content_type == "message/rfc822" and original.size == row.size
    note = Interaction.objects.get(ticket=ticket, kind="note")
    assert "header block longer than 262144 bytes" in note.body and "CAREDESK_MAIL_MAX_HEADER_BYTES" in note.body
    assert f"/api/v1/inbound-messages/{row.pk}/raw" in note.body


def test_retry_puts_a_quarantined_message_back_for_the_worker_and_records_who(admin_agent):
    row = quarantined(email_bytes(sender="fixed@example.org"))
    [retried] = actions.retry_quarantined([row.pk], actor=Actor.of_agent(admin_agent))
    assert retried.status == "failed" and retried.next_attempt_at is not None
    event = ChannelEvent.objects.filter(inbound=row).latest("id")
    assert (event.action, event.actor_label, event.before, event.after["status"]) == (
        "inbound.retried", admin_agent.username, {"status": "quarantined"}, "failed")
    assert inbound.process_pending() == 1 and InboundMessage.objects.get(pk=row.pk).status == "processed"


def test_discard_keeps_the_raw_copy_and_records_who(admin_agent):
    row = quarantined()
    [discarded] = actions.discard_quarantined([row.pk], actor=Actor.of_agent(admin_agent))
    assert discarded.status == "ignored" and admin_agent.username in discarded.outcome
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == b"Subject: fine\r\n\r\nbody"
    assert actions_of(row)[-1] == "inbound.discarded"


def test_only_a_quarantined_message_can_be_retried_or_discarded_and_a_batch_is_all_or_nothing(admin_agent):
    row, processed = quarantined(), stored(email_bytes())
    inbound.process_inbound(processed)
    actor = Actor.of_agent(admin_agent)
    with pytest.raises(Conflict):
        actions.retry_quarantined([row.pk, processed], actor=actor)
    with pytest.raises(NotFound):
        actions.discard_quarantined([row.pk, 999_999], actor=actor)
    assert InboundMessage.objects.get(pk=row.pk).status == "quarantined"


@pytest.fixture
def admin_api(admin_agent, api_client_for):
    return api_client_for(admin_agent)


def test_an_admin_lists_retries_and_discards_quarantined_messages_over_the_api(admin_api):
    first, second = quarantined(), quarantined(email_bytes())
    listed = admin_api.get("/api/v1/inbound-messages/quarantined").json()
    assert [item["id"] for item in listed["items"]] == [second.pk, first.pk] and listed["next_cursor"] is None
    assert listed["items"][0]["error"].startswith("parsing failed twice")
    assert admin_api.post(f"/api/v1/inbound-messages/{first.pk}/discard").json()["status"] == "ignored"
    assert admin_api.post(f"/api/v1/inbound-messages/{second.pk}/retry").json()["status"] == "failed"
    assert admin_api.get("/api/v1/inbound-messages/quarantined").json()["items"] == []
    assert_problem(admin_api.post(f"/api/v1/inbound-messages/{first.pk}/retry"), 409, "id")
    assert_problem(admin_api.post("/api/v1/inbound-messages/999999/discard"), 404, "id")


@pytest.mark.parametrize("role", [role for role in roles.ALL_ROLES if role != roles.ADMIN])
def test_every_other_role_gets_403_and_changes_nothing(role, make_agent, api_client_for):
    row = quarantined()
    client = api_client_for(make_agent(f"someone-{role.lower().replace(' ', '-')}", role=role))
    assert_problem(client.get("/api/v1/inbound-messages/quarantined"), 403)
    assert_problem(client.post(f"/api/v1/inbound-messages/{row.pk}/retry"), 403)
    assert_problem(client.post(f"/api/v1/inbound-messages/{row.pk}/discard"), 403)
    assert InboundMessage.objects.get(pk=row.pk).status == "quarantined"



def test_messages_queued_at_a_parser_that_died_are_parsed_again_alone_and_not_blamed():
    pool = parsers.ParserPool()
    try:
        first, second = pool.submit(email_bytes(subject="First")), pool.submit(email_bytes(subject="Second"))
        pool.kill()  # the parser dies (as when the kernel kills it) with both messages in its queue
        assert pool.result(second).subject == "Second" and pool.result(first).subject == "First"
    finally:
        pool.shutdown()
