"""The workspace's Resolution and Feedback panels, the teams' feedback pages and the resolutions report: every
refusal shows its message beside the field; the composer opens on the customer's preferred channel."""

from __future__ import annotations

import re

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.customers.actions import update_customer
from caredesk.resolutions import actions
from caredesk.resolutions import rules
from caredesk.resolutions.models import Feedback, ResolutionRule
from caredesk.tickets import use_cases
from caredesk.tickets.models import Ticket


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else ""


def test_solving_without_the_required_fields_shows_each_beside_its_field(signed_in, ticket):
    response = signed_in.post(f"/tickets/{ticket.pk}/resolution/", {"confirmation": "send"})
    html = response.content.decode()
    assert response.status_code == 422
    assert field_error(html, "root_cause") == "Choose the root cause."
    assert field_error(html, "summary") == "Write a short summary of the resolution."
    response = signed_in.post(f"/tickets/{ticket.pk}/resolution/", {
        "root_cause": "product_defect", "summary": "Fixed.", "confirmation": "confirmed"})
    assert field_error(response.content.decode(), "confirmed_by").startswith("Say how the customer confirmed")
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_solving_with_the_resolution(signed_in, ticket):
    response = signed_in.post(f"/tickets/{ticket.pk}/resolution/", {
        "root_cause": "product_defect", "summary": "Replaced the part.", "confirmation": "later"}, follow=True)
    assert "Solved, with its resolution." in response.content.decode()
    assert "Awaited from the agent" in signed_in.get(f"/tickets/{ticket.pk}/resolution/panel/").content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "solved"
    response = signed_in.post(f"/tickets/{ticket.pk}/resolution/confirmation/", {"confirmed_by": "phone"}, follow=True)
    assert "The customer&#x27;s confirmation is recorded." in response.content.decode()


def test_a_status_set_to_solved_in_the_properties_is_refused_beside_it(signed_in, ticket):
    response = signed_in.post(f"/tickets/{ticket.pk}/properties/status/", {"prop-status-status": "solved"},
                              HTTP_HX_REQUEST="true")
    assert "Record the resolution before solving" in field_error(response.content.decode(), "prop-status-status")
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_the_composer_opens_on_the_preferred_channel(signed_in, ticket, customer, agent):
    html = signed_in.get(f"/tickets/{ticket.pk}/resolution/panel/").content.decode()
    assert re.search(r'<input type="radio" name="confirmation" value="send"[^>]* checked', html)
    update_customer(customer, actor=Actor.of_agent(agent), preferred_channel="phone")
    html = signed_in.get(f"/tickets/{ticket.pk}/").content.decode()
    assert re.search(r'id="tab-call" aria-controls="panel-call" aria-selected="true"', html)
    assert 'id="tab-reply" aria-controls="panel-reply" aria-selected="false"' in html
    # ... and the resolution's confirmation is the agent's call to them
    html = signed_in.get(f"/tickets/{ticket.pk}/resolution/panel/").content.decode()
    assert re.search(r'<input type="radio" name="confirmation" value="later"[^>]* checked', html)
    assert "They prefer the phone: call them" in html


def test_feedback_without_a_team_is_refused_beside_it_and_the_teams_page_lists_it(signed_in, ticket, agent):
    response = signed_in.post(f"/tickets/{ticket.pk}/feedback/", {"body": "Too fragile."})
    assert field_error(response.content.decode(), "team") == "Choose the team the feedback is for."
    signed_in.post(f"/tickets/{ticket.pk}/feedback/", {"team": "installers", "body": "Too fragile."})
    assert signed_in.get("/feedback/").url == "/feedback/product/"
    page = signed_in.get("/feedback/installers/").content.decode()
    assert "Too fragile." in page and "Not solved yet" in page
    assert signed_in.get("/feedback/nobody/").status_code == 404
    response = signed_in.post(f"/tickets/{ticket.pk}/feedback/", {"team": "billing"})
    assert field_error(response.content.decode(), "body") == "Write the feedback, or choose a note of the ticket."
    note = use_cases.add_note(ticket, actor=Actor.of_agent(agent), body="Charged twice for one order.")
    page = signed_in.get(f"/tickets/{ticket.pk}/feedback/panel/").content.decode()
    assert f'<option value="{note.pk}">Charged twice for one order.</option>' in page
    signed_in.post(f"/tickets/{ticket.pk}/feedback/", {"team": "billing", "note": note.pk})
    assert Feedback.objects.get(team__key="billing").note == note
    page = signed_in.get(f"/tickets/{ticket.pk}/feedback/panel/").content.decode()
    assert f'<option value="{note.pk}">Charged' not in page and "Charged twice for one order." in page


def test_the_report_searches_and_the_export_needs_reports(signed_in, client, ticket, agent, make_agent):
    actions.solve(ticket, actor=Actor.of_agent(agent), resolution=actions.NewResolution(
        root_cause="billing_error", summary="Refunded the double charge.", confirmation="later"))
    assert "Refunded the double charge." in signed_in.get("/resolutions/?q=double").content.decode()
    assert "No resolution matches." in signed_in.get("/resolutions/?root_cause=product_defect").content.decode()
    assert "Refunded the double charge." in signed_in.get("/resolutions/?confirmation=awaited").content.decode()
    assert signed_in.get("/resolutions/export.csv").status_code == 403
    client.force_login(make_agent("sue", roles.TEAM_SUPERVISOR))
    response = client.get("/resolutions/export.csv?since=2000-01-01")
    assert b"Billing error" in b"".join(response.streaming_content)


def test_the_articles_the_tickets_replies_used_are_offered_and_the_resolution_links_its_article(signed_in, ticket,
                                                                                               agent):
    from caredesk.knowledge import actions as knowledge
    from caredesk.knowledge.models import ArticleCategory

    written = knowledge.publish(knowledge.create_article(agent=agent, draft=knowledge.Draft(
        title="Resetting a charger", body="Hold the button for ten seconds.",
        category=ArticleCategory.objects.first().pk)), agent=agent)
    reply = use_cases.reply(ticket, actor=Actor.of_agent(agent), body="Hold the button for ten seconds.")
    knowledge.record_uses({written.pk: "text"}, interaction=reply, agent=agent)
    page = signed_in.get(f"/tickets/{ticket.pk}/resolution/panel/").content.decode()
    assert f'<option value="{written.pk}">Resetting a charger</option>' in page
    signed_in.post(f"/tickets/{ticket.pk}/resolution/", {
        "root_cause": "product_defect", "summary": "Reset it.", "article": written.pk, "confirmation": "later"})
    page = signed_in.get(f"/tickets/{ticket.pk}/resolution/panel/").content.decode()
    assert f'href="/knowledge/{written.pk}/">#{written.pk} Resetting a charger</a>' in page
    listed = signed_in.get("/resolutions/?q=charger").content.decode()  # found by the article's title
    assert f'<td class="resolution-reuses"><a href="/knowledge/{written.pk}/">Resetting a charger</a></td>' in listed
    ResolutionRule.objects.filter(ticket_type=None).update(required_fields=["reference"])
    other = use_cases.open_ticket(actor=Actor.of_agent(agent), requester=ticket.requester, subject="Other",
                                  description="Another request.")
    response = signed_in.post(f"/tickets/{other.pk}/resolution/", {"confirmation": "later"})
    assert field_error(response.content.decode(), "article") == rules.REQUIRABLE_FIELDS["reference"]
