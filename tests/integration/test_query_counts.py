"""List endpoints and queues run a fixed number of SQL queries, whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.core.audit import Actor
from caredesk.customers.actions import create_customer
from caredesk.tickets import actions, queries
from caredesk.tickets.models import Group, TicketType


@pytest.fixture
def many_tickets(agent, make_agent):
    """110 tickets with tags, assignee, group, type and requester on every row, from several customers."""
    actor = Actor.of_agent(agent)
    other = make_agent("sam")
    groups = list(Group.objects.all())
    types = list(TicketType.objects.all())
    customers = [create_customer(actor=actor, name=f"Customer {index}") for index in range(5)]
    for index in range(110):
        actions.create_ticket(actor=actor, requester=customers[index % 5], subject=f"Ticket {index}",
                              tags=[f"tag{index % 7}", "common"], assignee=agent if index % 3 else other,
                              group=groups[index % len(groups)], ticket_type=types[index % len(types)])


def _count(callable_):
    with CaptureQueriesContext(connection) as captured:
        result = callable_()
    return len(captured), result


@pytest.mark.parametrize("path", ["/api/v1/tickets?limit={}", "/api/v1/tickets?assignee=me&limit={}",
                                  "/api/v1/tickets?tag=common&status=new&limit={}"])
def test_ticket_list_api_queries_do_not_grow_with_the_page(api, many_tickets, path):
    api.get(path.format(5))  # warm up per-process caches (content types, etc.)
    small_count, small = _count(lambda: api.get(path.format(5)))
    large_count, large = _count(lambda: api.get(path.format(100)))
    assert small.status_code == large.status_code == 200
    assert len(small.json()["items"]) == 5 and len(large.json()["items"]) >= 70
    assert small_count == large_count
    for item in large.json()["items"]:
        assert item["tags"] and item["assignee"] and item["group"] and item["requester"]["name"]
        assert item["ticket_type"]


def test_agent_queue_queries_do_not_grow_with_the_page(django_assert_num_queries, agent, many_tickets):
    def page(size):
        rows = list(queries.agent_queue(agent)[:size])
        return [(t.requester.name, t.assignee.username, t.group.name, t.ticket_type.name,
                 [tag.name for tag in t.tags.all()]) for t in rows]

    with django_assert_num_queries(3):  # the tickets, their requesters, their tags
        small = page(5)
    with django_assert_num_queries(3):
        large = page(100)
    assert len(small) == 5 and len(large) == 73
    assert all(row[4] and row[1] == "maria" for row in large)


def test_timeline_queries_do_not_grow_with_its_length(api, ticket, customer, actor):
    from caredesk.tickets.actions import NewAttachment

    other = actions.create_ticket(actor=actor, requester=customer, subject="Long")

    def fill(target, count):
        for index in range(count):
            kind = index % 4
            if kind == 0:
                actions.add_interaction(target, actor=actor, channel="email", direction="outbound",
                                        kind="message", body=f"reply {index}",
                                        attachments=[NewAttachment(f"{index}.txt", "text/plain", b"x")])
            elif kind == 1:
                actions.receive_customer_message(target, customer=customer, channel="email", body=f"msg {index}")
            elif kind == 2:
                actions.add_interaction(target, actor=actor, channel="phone", direction="outbound", kind="call",
                                        call_outcome="answered", call_notes={"caller_name": "M"})
            else:
                actions.add_interaction(target, actor=actor, channel="internal", direction="internal",
                                        kind="note", body="note")

    fill(ticket, 3)
    fill(other, 60)
    api.get(f"/api/v1/tickets/{ticket.pk}/timeline")
    short_count, short = _count(lambda: api.get(f"/api/v1/tickets/{ticket.pk}/timeline"))
    long_count, long = _count(lambda: api.get(f"/api/v1/tickets/{other.pk}/timeline"))
    assert len(short.json()) >= 3 and len(long.json()) >= 60
    assert short_count == long_count
    assert any(entry["attachments"] for entry in long.json())
    assert any(entry["call_notes"] for entry in long.json())
    assert {entry["author"] for entry in long.json()} >= {"Maria Lopez", "Dana Whitfield"}
