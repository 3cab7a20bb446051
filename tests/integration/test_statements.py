"""The cached-SQL statements write and read exactly what the ORM would, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.db import statements
from caredesk.customers.models import Customer
from caredesk.tickets.models import Group, Tag, Ticket, TicketEvent, TicketType

pytestmark = pytest.mark.django_db


def _customer() -> Customer:
    now = clock.now()
    return Customer.objects.create(name="Ada Lovelace", created_at=now, updated_at=now)


def _columns(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields if not field.primary_key}


def test_insert_writes_the_row_the_orm_would_and_sets_its_primary_key():
    requester, now = _customer(), clock.now()
    fields = dict(subject="Passport renewal", requester=requester, status="open", priority=3,
                  created_at=now, updated_at=now, ticket_type=TicketType.objects.get(key="general_inquiry"))

    inserted = statements.insert(Ticket(**fields))
    saved = Ticket.objects.create(**fields)

    assert inserted.pk is not None and not inserted._state.adding
    assert _columns(Ticket.objects.get(pk=inserted.pk)) == _columns(Ticket.objects.get(pk=saved.pk))


def test_insert_converts_json_and_times_through_the_fields():
    ticket = statements.insert(Ticket(subject="x", requester=_customer(), created_at=clock.now(),
                                      updated_at=clock.now()))
    build = lambda: TicketEvent.build(Actor.system("test"), "tags.changed", ticket=ticket,  # noqa: E731
                                      field="tags", after={"tags": ["a", "b"], "when": clock.now()})
    with clock.frozen_at(clock.now()):
        inserted = statements.insert(build())
        saved = build()
        saved.save()

    assert _columns(TicketEvent.objects.get(pk=inserted.pk)) == _columns(TicketEvent.objects.get(pk=saved.pk))


def test_insert_rows_writes_every_row():
    ticket = statements.insert(Ticket(subject="x", requester=_customer(), created_at=clock.now(),
                                      updated_at=clock.now()))
    tags = Tag.objects.bulk_create([Tag(name="billing"), Tag(name="urgent-call")])
    statements.insert_rows([Ticket.tags.through(ticket=ticket, tag=tag) for tag in tags])
    statements.insert_rows([])

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "urgent-call"]


def test_get_by_finds_a_row_by_a_unique_column_or_answers_none():
    customer = _customer()

    found = statements.get_by(Customer, "pk", customer.pk)
    assert _columns(found) == _columns(customer) and found.pk == customer.pk
    assert statements.get_by(Customer, "pk", customer.pk + 1000) is None
    assert statements.get_by(TicketType, "key", "general_inquiry").name == "General inquiry"
    assert statements.get_by(TicketType, "key", "no_such_type") is None


def test_remembered_related_rows_are_read_without_a_query():
    ticket = statements.insert(Ticket(subject="x", requester=_customer(), created_at=clock.now(),
                                      updated_at=clock.now()))
    tag = Tag.objects.create(name="vip")
    statements.remember_related(ticket, "tags", [tag])

    with CaptureQueriesContext(connection) as queries:
        assert [t.name for t in ticket.tags.all()] == ["vip"]
    assert len(queries) == 0


def test_update_rows_saves_the_named_columns_of_every_row_and_nothing_else():
    requester = _customer()
    tickets = [statements.insert(Ticket(subject=f"t{n}", requester=requester, created_at=clock.now(),
                                        updated_at=clock.now())) for n in range(3)]
    group = Group.objects.create(key="unresponsive-test", name="Unresponsive (test)")
    for ticket in tickets:
        ticket.status, ticket.group, ticket.subject, ticket.solved_at = "solved", group, "changed", clock.now()
    statements.update_rows(tickets, ["status", "group", "solved_at"])
    statements.update_rows([], ["status"])

    for ticket in tickets:
        stored = Ticket.objects.get(pk=ticket.pk)
        assert (stored.status, stored.group_id, stored.solved_at) == ("solved", group.pk, ticket.solved_at)
        assert stored.subject != "changed"


def test_get_by_for_update_locks_the_row_where_the_database_can():
    from django.db import transaction

    customer = _customer()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        found = statements.get_by(Customer, "pk", customer.pk, for_update=True)
    assert found.pk == customer.pk and found.name == "Ada Lovelace"
    assert ("FOR UPDATE" in captured.captured_queries[-1]["sql"]) == connection.features.has_select_for_update
