"""GET /api/v1/search: hits with highlighted snippets, filters by key, cursors, problem+json on bad input."""

from __future__ import annotations

import pytest

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.tickets import use_cases
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Group
from tests.integration.helpers import assert_problem


@pytest.fixture
def tickets(agent, customer):
    actor = Actor.of_agent(agent)
    made = [use_cases.open_ticket(actor=actor, requester=customer, subject=f"Boarding pass {n}",
                                  description="My boarding pass never arrived.") for n in range(3)]
    group = Group.objects.order_by("pk").first()
    update_ticket(made[0], actor=actor, status="open", group=group, assignee=agent)
    return made


def test_hits_are_ranked_highlighted_and_paged(api, tickets):
    body = api.get("/api/v1/search", {"q": "boarding", "limit": 2}).json()
    assert [item["source"] for item in body["items"]] == ["ticket", "ticket"]
    assert "<mark>Boarding</mark>" in body["items"][0]["title_html"]
    assert body["items"][0]["url"] == f"/tickets/{body['items'][0]['id']}/"
    rest = api.get("/api/v1/search", {"q": "boarding", "limit": 2, "cursor": body["next_cursor"]}).json()
    assert {item["id"] for item in body["items"] + rest["items"]} == {t.pk for t in tickets}
    assert rest["next_cursor"] is None


def test_filters_by_status_group_assignee_type_and_source(api, tickets, agent):
    group = Group.objects.order_by("pk").first()
    for query in ({"status": "open"}, {"group": group.key}, {"assignee": "me"}, {"assignee": agent.username}):
        items = api.get("/api/v1/search", {"q": "boarding", **query}).json()["items"]
        assert [item["id"] for item in items] == [tickets[0].pk], query
    items = api.get("/api/v1/search", {"q": "dana@example.com", "source": "customer"}).json()["items"]
    assert [item["source"] for item in items] == ["customer"]


def test_an_exact_ticket_number(api, tickets):
    assert api.get("/api/v1/search", {"q": f"#{tickets[1].pk}"}).json()["exact_ticket"] == tickets[1].pk


@pytest.mark.parametrize(("query", "field"), [
    ({"q": "x", "status": "nonsense"}, "status"), ({"q": "x", "group": "nonsense"}, "group"),
    ({"q": "x", "assignee": "nobody"}, "assignee"), ({"q": "x", "cursor": "forged"}, "cursor"),
    ({"q": "x", "source": "nonsense"}, "source"), ({"q": "x", "since": "2026-03-05", "until": "2026-03-01"}, "until"),
    ({}, "q"),
])
def test_bad_input_is_a_problem_naming_the_field(api, query, field):
    assert_problem(api.get("/api/v1/search", query), 422, field)


def test_a_role_without_tickets_is_refused(make_agent, api_client_for):
    outsider = make_agent("outsider", roles.AGENT)
    outsider.groups.clear()
    assert api_client_for(outsider).get("/api/v1/search", {"q": "boarding"}).status_code == 403


def test_redacting_a_text_over_the_api(api, tickets):
    ticket = tickets[1]
    answer = api.post(f"/api/v1/tickets/{ticket.pk}/redact", {"text": "BOARDING PASS never"},
                      content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"subject": 0, "description": 1, "interactions": {},
                                                        "records": {}}
    assert ticket.pk not in [item["id"] for item in api.get("/api/v1/search", {"q": '"pass never"'}).json()["items"]]
    for text in ("BOARDING PASS never", "abc"):  # gone now; too short
        assert_problem(api.post(f"/api/v1/tickets/{ticket.pk}/redact", {"text": text},
                                content_type="application/json"), 422, "text")
