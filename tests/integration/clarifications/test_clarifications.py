"""The Care Clarifications Form (SOP 000) on the database and through the API: refused on an open ticket and on
a ticket whose latest customer event is a reply to a closed ticket, with the reason; accepted on a solved one;
only SOP 000's two categories offered, each with the team's sub-categories."""

from __future__ import annotations

import pytest

from caredesk.clarifications import actions
from caredesk.clarifications.models import Clarification, SubCategory
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Status, Ticket
from tests.integration.helpers import assert_problem, events_of, nothing_written, post_json


def sub(key: str) -> int:
    return SubCategory.objects.get(key=key).pk


def file(ticket, agent, **changes):
    fields = {"category": "care_clarification", "sub_category": sub("care_content_change"),
              "details": "The customer asked for the new menu wording."}
    return actions.file_clarification(ticket, agent=agent, **{**fields, **changes})


def test_refused_on_an_open_ticket_with_the_reason(ticket, agent):
    with pytest.raises(Conflict) as refused:
        file(ticket, agent)
    assert "RESOLVED tickets only" in refused.value.detail and not Clarification.objects.exists()


def test_accepted_on_a_solved_ticket_and_written_on_its_timeline(ticket, agent, actor):
    ticket_actions.update_ticket(ticket, actor=actor, status=Status.SOLVED)
    entry = file(ticket, agent)
    assert (entry.category, entry.sub_category.name, entry.agent) == (
        "care_clarification", "Content change after delivery", agent)
    assert events_of(ticket, action="clarification.filed")[0].after["category"] == "Care Clarification"


def test_refused_when_the_latest_customer_event_is_a_reply_to_a_closed_ticket(ticket, agent, actor, customer):
    ticket_actions.update_ticket(ticket, actor=actor, status=Status.SOLVED)
    ticket_actions.update_ticket(ticket, actor=actor, status=Status.CLOSED)
    ticket_actions.receive_customer_message(ticket, customer=customer, channel="email",
                                            body="The contact form you built does not send anything.")
    follow_up = Ticket.objects.get(follows_up=ticket)
    ticket_actions.update_ticket(follow_up, actor=actor, status=Status.SOLVED)
    for refused_ticket in (ticket, follow_up):  # the closed ticket, and the follow-up its reply opened
        refused_ticket.refresh_from_db()
        with pytest.raises(Conflict) as refused:
            file(refused_ticket, agent)
        assert "NOT a clarification" in refused.value.detail
    # the customer writes again on the follow-up: the latest event is no longer the reply to the closed ticket
    ticket_actions.receive_customer_message(follow_up, customer=customer, channel="email", body="And the footer?")
    ticket_actions.update_ticket(follow_up, actor=actor, status=Status.SOLVED)
    assert file(follow_up, agent).ticket == follow_up


def test_only_the_two_categories_and_their_own_sub_categories(ticket, agent, actor):
    ticket_actions.update_ticket(ticket, actor=actor, status=Status.SOLVED)
    assert set(SubCategory.objects.values_list("category", flat=True)) == {"builder_agent_feedback",
                                                                          "care_clarification"}
    with pytest.raises(ValidationFailed) as wrong:
        file(ticket, agent, category="process_feedback")
    assert wrong.value.field == "category"
    with pytest.raises(ValidationFailed) as mismatched:
        file(ticket, agent, category="builder_agent_feedback")  # a Care Clarification sub-category
    assert mismatched.value.field == "sub_category"


def test_the_api_refuses_with_problem_json_and_accepts_on_a_solved_ticket(api, ticket, actor):
    path = f"/api/v1/tickets/{ticket.pk}/clarifications"
    payload = {"category": "builder_agent_feedback", "sub_category": sub("agent_communication"),
               "details": "The agent promised a callback the builder never made."}
    with nothing_written():
        problem = assert_problem(post_json(api, path, payload), 409)
    assert "RESOLVED" in problem["detail"]
    assert_problem(post_json(api, path, {**payload, "category": "process"}), 422, "category")
    ticket_actions.update_ticket(ticket, actor=actor, status=Status.SOLVED)
    created = post_json(api, path, payload)
    assert created.status_code == 201, created.content
    assert created.json()["category_name"] == "Builder/Agent Feedback"
    offered = api.get("/api/v1/clarifications/sub-categories").json()
    assert {entry["category"] for entry in offered} == {"builder_agent_feedback", "care_clarification"}


def test_the_workspace_form_shows_errors_beside_fields_and_the_refusal(client, agent, ticket, actor):
    client.force_login(agent)
    url = f"/tickets/{ticket.pk}/clarifications/"
    refused = client.post(url, {"category": "care_clarification", "sub_category": sub("care_scope"),
                                "details": "Asked what the plan covers."})
    assert refused.status_code == 422 and b"RESOLVED tickets only" in refused.content
    ticket_actions.update_ticket(ticket, actor=actor, status=Status.SOLVED)
    missing = client.post(url, {"category": "care_clarification", "details": "No sub-category."})
    assert missing.status_code == 422 and missing.context["clarification_form"].errors["sub_category"]
    filed = client.post(url, {"category": "care_clarification", "sub_category": sub("care_scope"),
                              "details": "Asked what the plan covers."})
    assert filed.status_code == 200 and b"Clarification recorded." in filed.content
    assert Clarification.objects.filter(ticket=ticket).count() == 1
