"""The audit trail is append-only: no action, ORM call, raw SQL or API route changes or removes an event."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from caredesk.core.audit import AppendOnlyViolation
from caredesk.core.models import AgentEvent
from caredesk.customers.models import CustomerEvent
from caredesk.tickets.models import TicketEvent
from tests.integration.helpers import assert_problem, nothing_written, patch_json, post_json, record_resolution

EVENT_MODELS = [TicketEvent, CustomerEvent, AgentEvent]


def _rows(model):
    return list(model.objects.order_by("id").values())


@pytest.fixture
def trail(ticket, customer, agent):
    return {TicketEvent: ticket, CustomerEvent: customer, AgentEvent: agent}


@pytest.mark.parametrize("model", EVENT_MODELS)
def test_saving_an_existing_event_is_refused(trail, model):
    event = model.objects.first()
    event.action = "forged"
    with pytest.raises(AppendOnlyViolation):
        event.save()
    assert model.objects.get(pk=event.pk).action != "forged"


@pytest.mark.parametrize("model", EVENT_MODELS)
def test_queryset_update_delete_and_bulk_update_are_refused(trail, model):
    before = _rows(model)
    with pytest.raises(AppendOnlyViolation):
        model.objects.all().update(action="forged")
    with pytest.raises(AppendOnlyViolation):
        model.objects.filter(pk__gt=0).delete()
    with pytest.raises(AppendOnlyViolation):
        model.objects.all().delete()
    event = model.objects.first()
    event.action = "forged"
    with pytest.raises(AppendOnlyViolation):
        model.objects.bulk_update([event], ["action"])
    with pytest.raises(AppendOnlyViolation):
        model.objects.update_or_create(pk=event.pk, defaults={"action": "forged"})
    assert _rows(model) == before


@pytest.mark.parametrize("model", EVENT_MODELS)
def test_deleting_an_event_is_refused(trail, model):
    event = model.objects.first()
    with pytest.raises(AppendOnlyViolation):
        event.delete()
    assert model.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("table", ["tickets_ticketevent", "customers_customerevent", "core_agentevent"])
def test_raw_sql_update_is_refused_by_the_database(trail, table):
    model = {m._meta.db_table: m for m in EVENT_MODELS}[table]
    before = _rows(model)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET action = %s", ["forged"])
    assert _rows(model) == before


def test_inserting_is_still_allowed(ticket, actor):
    from caredesk.tickets.actions import record_event

    count = TicketEvent.objects.count()
    record_event(actor, ticket, "flag.raised", field="flags", after="checked")
    assert TicketEvent.objects.count() == count + 1


def test_no_action_changes_an_earlier_event(frozen_clock, api, ticket, customer, order, agent, actor):
    """Run every kind of change, then check every earlier event is exactly as written."""
    from datetime import timedelta

    from caredesk.core.actions import create_api_token, revoke_api_token, set_presence
    from caredesk.customers import actions as customer_actions
    from caredesk.tickets import actions

    written = {model: _rows(model) for model in EVENT_MODELS}
    customer_actions.update_customer(customer, actor=actor, name="Dana W.")
    customer_actions.add_contact_points(customer, actor=actor, emails=["d2@example.com"])
    customer_actions.remove_contact_point(customer, actor=actor, value="d2@example.com")
    customer_actions.update_order(order, actor=actor, status="Done")
    set_presence(agent, "busy")
    row, _ = create_api_token(agent)
    revoke_api_token(row)
    actions.update_ticket(ticket, actor=actor, priority=4, tags=["x"], status="pending")
    actions.receive_customer_message(ticket, customer=customer, channel="email", body="hi")
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    frozen_clock.advance(timedelta(days=5))
    actions.close_solved_tickets()
    actions.receive_customer_message(ticket, customer=customer, channel="email", body="again")
    patch_json(api, f"/api/v1/customers/{customer.pk}", {"importance": "vip"})
    post_json(api, "/api/v1/tickets", {"subject": "x", "description": "d", "requester_id": customer.pk})
    for model, rows in written.items():
        assert _rows(model)[: len(rows)] == rows
        assert len(_rows(model)) > len(rows)


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
@pytest.mark.parametrize("path", ["/api/v1/tickets/{ticket}/events", "/api/v1/tickets/{ticket}/events/{event}",
                                  "/api/v1/customers/{customer}/events", "/api/v1/customers/{customer}/events/{event}"])
def test_no_api_route_changes_events(api, ticket, customer, method, path):
    event = TicketEvent.objects.filter(ticket=ticket).first()
    url = path.format(ticket=ticket.pk, customer=customer.pk, event=event.pk)
    before = {model: _rows(model) for model in EVENT_MODELS}
    with nothing_written():
        response = getattr(api, method)(url, data=json.dumps({"action": "forged", "after": None}),
                                        content_type="application/json")
        assert response.status_code in (404, 405), response.content
        assert_problem(response, response.status_code)
    assert {model: _rows(model) for model in EVENT_MODELS} == before


def _interaction_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, action="interaction.note").values_list("after", flat=True))


def _note(ticket, actor, text):
    from caredesk.tickets.actions import add_interaction

    return add_interaction(ticket, actor=actor, channel="internal", direction="internal", kind="note", body=text)


@pytest.mark.django_db(transaction=True)
def test_events_written_together_are_inserted_at_the_end_of_the_block_in_one_statement_per_log(ticket, actor):
    from django.test.utils import CaptureQueriesContext

    from caredesk.core import audit

    before = len(_interaction_events(ticket))
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic(), audit.written_together():
            _note(ticket, actor, "one")
            _note(ticket, actor, "two")
            assert len(_interaction_events(ticket)) == before  # not inserted yet
    assert _interaction_events(ticket)[before:] == [
        {"channel": "internal", "direction": "internal", "call_outcome": None, "has_call_notes": None}] * 2
    inserts = [query["sql"] for query in captured.captured_queries if 'INTO "tickets_ticketevent"' in query["sql"]]
    assert len(inserts) == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_recorded_in_a_savepoint_that_rolled_back_is_dropped_with_it(ticket, actor):
    from caredesk.core import audit
    from caredesk.tickets.models import Interaction

    with transaction.atomic(), audit.written_together():
        _note(ticket, actor, "kept")
        try:
            with transaction.atomic():
                _note(ticket, actor, "rolled back")
                with transaction.atomic():  # a savepoint inside one that rolls back: dropped too
                    _note(ticket, actor, "inner")
                raise RuntimeError("the step failed")
        except RuntimeError:
            pass
        with transaction.atomic():  # a savepoint released: kept
            _note(ticket, actor, "released")
    assert sorted(Interaction.objects.filter(ticket=ticket, kind="note").values_list("body", flat=True)) == [
        "kept", "released"]
    assert TicketEvent.objects.filter(ticket=ticket, action="interaction.note").count() == 2


@pytest.mark.django_db(transaction=True)
def test_nothing_is_written_when_the_transaction_rolls_back(ticket, actor):
    from caredesk.core import audit

    before = TicketEvent.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic(), audit.written_together():
            _note(ticket, actor, "gone")
            raise RuntimeError("outage")
    assert TicketEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_event_is_written_at_once(ticket, actor):
    from caredesk.core import audit
    from caredesk.tickets.actions import record_event

    with audit.written_together():
        event = record_event(actor, ticket, "flag.raised", field="flags", after="viewed")
        assert event.pk is not None
