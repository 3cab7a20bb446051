"""The resolutions API and the customer's pages: solving refused without the required fields (by
POST /tickets/{id}/resolution and by PATCH /tickets/{id}), the confirmation recorded or asked, "still not fixed"
reopening only on POST, feedback lists and weekly counts, the search and the streamed CSV."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest

from caredesk.channels.models import OutboundMessage
from caredesk.core import roles
from caredesk.resolutions import tokens
from caredesk.resolutions.models import Resolution
from caredesk.tickets.models import Ticket
from tests.integration.helpers import assert_problem, nothing_written, patch_json, post_json

SOLVE = {"root_cause": "product_defect", "resolution_code": "fixed", "summary": "Replaced the part."}


def url(ticket, tail: str = "") -> str:
    return f"/api/v1/tickets/{ticket.pk}/resolution{tail}"


def test_the_lists_and_the_rule(api):
    body = api.get("/api/v1/resolution-lists?ticket_type=refund_request").json()
    assert {"key": "product_defect", "name": "Product defect"} in body["root_causes"]
    assert [team["key"] for team in body["feedback_teams"]] == ["product", "billing", "installers"]
    assert (body["required_fields"], body["confirmation_required"]) == (["root_cause", "summary"], True)
    assert_problem(api.get("/api/v1/resolution-lists?ticket_type=nope"), 422, "ticket_type")


@pytest.mark.parametrize(("payload", "field"), [
    ({"summary": "Done."}, "root_cause"), ({"root_cause": "product_defect"}, "summary"),
    ({**SOLVE, "root_cause": "unknown"}, "root_cause"), ({**SOLVE, "confirmation": "confirmed"}, "confirmed_by"),
    ({**SOLVE, "mood": "happy"}, "mood"), ({**SOLVE, "linked_ticket": 0}, "linked_ticket"),
    ({**SOLVE, "confirmation": "confirmed", "confirmed_by": "fax"}, "confirmed_by"),
])
def test_solving_without_what_is_required_is_a_problem_naming_the_field(api, ticket, payload, field):
    with nothing_written():
        assert_problem(post_json(api, url(ticket), payload), 422, field)
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_patching_the_status_to_solved_obeys_the_same_rule(api, ticket):
    with nothing_written():
        problem = assert_problem(patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "solved"}), 422, "status")
    assert "root cause" in problem["detail"]
    assert post_json(api, url(ticket), {**SOLVE, "solve": False}).status_code == 201
    assert patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "solved"}).status_code == 200


def test_solve_send_the_confirmation_then_record_it(api, ticket):
    assert api.get(url(ticket)).status_code == 204
    response = post_json(api, url(ticket), SOLVE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["root_cause"]["key"], body["confirmation"], body["confirmation_channel"], body["recorded_by"]) == (
        "product_defect", "sent", "email", "Maria Lopez")
    assert Ticket.objects.get(pk=ticket.pk).status == "solved"
    assert OutboundMessage.objects.filter(ticket=ticket, channel="email").count() == 1
    again = post_json(api, url(ticket, "/confirmation-message"), {}).json()
    assert again["confirmation"] == "sent" and OutboundMessage.objects.filter(ticket=ticket).count() == 2
    assert_problem(post_json(api, url(ticket, "/confirmation"), {"confirmed_by": "fax"}), 422, "confirmed_by")
    confirmed = post_json(api, url(ticket, "/confirmation"), {"confirmed_by": "chat", "note": "Said thanks."}).json()
    assert (confirmed["confirmation"], confirmed["confirmation_channel"]) == ("confirmed", "chat")
    assert_problem(post_json(api, url(ticket, "/confirmation-message"), {}), 409, "confirmation")
    assert api.get(url(ticket)).json()["id"] == body["id"]


def test_confirming_an_unsolved_ticket_is_a_conflict(api, ticket):
    assert_problem(post_json(api, url(ticket, "/confirmation"), {"confirmed_by": "phone"}), 409, "confirmation")
    assert_problem(post_json(api, "/api/v1/tickets/999999/resolution", SOLVE), 404)


def test_the_customers_page_changes_nothing_until_its_button_is_pressed(api, client, ticket):
    post_json(api, url(ticket), SOLVE)
    token = tokens.sign(tokens.CONFIRMATION, Resolution.objects.get(ticket=ticket).pk)
    with nothing_written():
        page = client.get(f"/resolution/confirm/{token}/")
    assert page.status_code == 200 and "Still not fixed" in page.content.decode()
    assert client.get(f"/resolution/confirm/{token}/not-fixed/").status_code == 405
    assert client.get(f"/resolution/confirm/{token}x/").status_code == 404
    response = client.post(f"/resolution/confirm/{token}/not-fixed/", {"comment": "No change."})
    assert response.status_code == 200 and f"ticket #{ticket.pk}" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_the_customer_sets_the_preferred_channel_from_a_link(client, ticket, customer):
    token = tokens.sign(tokens.PREFERENCES, customer.pk)
    assert client.post(f"/resolution/preferences/{token}/", {"preferred_channel": "pigeon"}).status_code == 422
    response = client.post(f"/resolution/preferences/{token}/", {"preferred_channel": "phone"})
    assert response.status_code == 200 and "Saved" in response.content.decode()
    customer.refresh_from_db()
    assert customer.preferred_channel == "phone"


def test_feedback_for_a_team_and_its_weekly_count(api, ticket):
    response = post_json(api, f"/api/v1/tickets/{ticket.pk}/feedback", {"team": "product", "body": "Too fragile."})
    assert response.status_code == 201, response.content
    assert response.json()["team"] == {"key": "product", "name": "Product"}
    assert_problem(post_json(api, f"/api/v1/tickets/{ticket.pk}/feedback", {"team": "legal", "body": "x"}), 422,
                   "team")
    post_json(api, url(ticket), {**SOLVE, "confirmation": "later"})
    listed = api.get("/api/v1/feedback-teams/product/feedback").json()
    assert [(item["ticket_id"], item["body"], item["shared_by"]) for item in listed] == [
        (ticket.pk, "Too fragile.", "maria")]
    weekly = api.get("/api/v1/feedback-teams/product/weekly?weeks=4").json()
    assert [(row["root_cause"], row["count"]) for row in weekly] == [("Product defect", 1)]
    assert api.get("/api/v1/feedback-teams/billing/feedback").json() == []
    assert_problem(api.get("/api/v1/feedback-teams/nobody/feedback"), 404, "team")
    assert_problem(api.get("/api/v1/feedback-teams/product/weekly?weeks=0"), 422)


def test_search_and_export_resolutions(api, api_client_for, make_agent, ticket):
    post_json(api, url(ticket), {**SOLVE, "confirmation": "later"})
    found = api.get("/api/v1/resolutions?q=part&root_cause=product_defect").json()
    assert [item["ticket_id"] for item in found["items"]] == [ticket.pk] and found["next_cursor"] is None
    assert api.get("/api/v1/resolutions?q=nothing-like-it").json()["items"] == []
    owed = api.get("/api/v1/resolutions?confirmation=awaited").json()["items"]
    assert [item["ticket_id"] for item in owed] == [ticket.pk]
    assert api.get("/api/v1/resolutions?confirmation=confirmed").json()["items"] == []
    assert_problem(api.get("/api/v1/resolutions?confirmation=maybe"), 422, "confirmation")
    assert api.get("/api/v1/resolutions/export.csv").status_code == 403  # an agent does not see reports
    supervisor = api_client_for(make_agent("sue", roles.TEAM_SUPERVISOR))
    response = supervisor.get("/api/v1/resolutions/export.csv?since=2000-01-01")
    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["week", "root_cause", "resolution_code", "agent", "resolutions", "confirmed", "still_not_fixed"]
    assert rows[1][1:] == ["Product defect", "Fixed", "maria", "1", "0", "0"]
    assert_problem(supervisor.get("/api/v1/resolutions/export.csv?since=yesterday"), 422, "since")


def test_the_confirmation_step_confirms_and_sets_the_preferred_channel(api, client, ticket, customer):
    post_json(api, url(ticket), SOLVE)
    token = tokens.sign(tokens.CONFIRMATION, Resolution.objects.get(ticket=ticket).pk)
    response = client.post(f"/resolution/confirm/{token}/channel/", {"preferred_channel": "sms"}, follow=True)
    assert "we will use your preferred channel" in response.content.decode()
    customer.refresh_from_db()
    assert customer.preferred_channel == "sms"
    assert client.post(f"/resolution/confirm/{token}/channel/", {"preferred_channel": ""}).status_code == 422
    response = client.post(f"/resolution/confirm/{token}/fixed/", follow=True)
    assert "glad it is resolved" in response.content.decode()
    resolution = Resolution.objects.get(ticket=ticket)
    assert (resolution.confirmation, resolution.confirmation_channel) == ("confirmed", "link")
    assert Ticket.objects.get(pk=ticket.pk).status == "solved"


def test_the_preferred_channel_a_confirmation_text_and_still_not_fixed_through_the_api(api, client, ticket, customer):
    """The Done-when's browser steps through the API: the customer prefers texts, so the ticket tells a client's
    composer so and the confirmation goes out as a text through the outbox; its "still not fixed" reopens."""
    assert api.get(f"/api/v1/tickets/{ticket.pk}").json()["preferred_channel"] == ""
    assert patch_json(api, f"/api/v1/customers/{customer.pk}", {"preferred_channel": "sms"}).status_code == 200
    assert api.get(f"/api/v1/tickets/{ticket.pk}").json()["preferred_channel"] == "sms"
    body = post_json(api, url(ticket), SOLVE).json()
    assert (body["confirmation"], body["confirmation_channel"]) == ("sent", "sms")
    message = OutboundMessage.objects.get(ticket=ticket)
    assert (message.channel, message.to, message.status) == ("sms", ["+14155550132"], "queued")
    link = next(word for word in message.body.split() if "/resolution/confirm/" in word)
    response = client.post(f"{urlsplit(link).path}not-fixed/", {"comment": "Still dead."})
    assert response.status_code == 200
    assert api.get(f"/api/v1/tickets/{ticket.pk}").json()["status"] == "open"
    assert api.get(url(ticket)).status_code == 204  # the resolution is not current any more
    [listed] = api.get("/api/v1/resolutions?confirmation=not_fixed").json()["items"]
    assert (listed["ticket_id"], listed["current"]) == (ticket.pk, False)
    assert api.get("/api/v1/resolutions?confirmation=sent").json()["items"] == []


def test_the_resolution_reuses_a_published_article(api, ticket, agent):
    from caredesk.knowledge import actions as knowledge
    from caredesk.knowledge.models import ArticleCategory

    written = knowledge.create_article(agent=agent, draft=knowledge.Draft(
        title="Resetting a charger", body="Hold the button.", category=ArticleCategory.objects.first().pk))
    with nothing_written():
        assert_problem(post_json(api, url(ticket), {**SOLVE, "article": written.pk}), 422, "article")  # a draft
    knowledge.publish(written, agent=agent)
    body = post_json(api, url(ticket), {**SOLVE, "article": written.pk, "confirmation": "later"}).json()
    assert body["article"] == {"id": written.pk, "title": "Resetting a charger"}
