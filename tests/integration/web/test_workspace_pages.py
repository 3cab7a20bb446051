"""Workspace views through Django's test client: roles, forms with errors beside fields, writes via actions."""

from __future__ import annotations

import pytest

from caredesk.core import roles
from caredesk.customers.models import ContactPoint, Customer
from caredesk.tickets.models import Interaction, Ticket
from caredesk.web import queries
from caredesk.web.models import SavedView

CALL = {
    "call-direction": "outbound", "call-call_outcome": "no_answer", "call-caller_name": "Dana Whitfield",
    "call-call_type": "Outbound follow-up", "call-customer_type": "Homeowner",
    "call-reason_for_call": "Photo rejected", "call-actions_taken": "Left a voicemail",
}


@pytest.mark.parametrize("url", ["/", "/views/", "/tickets/new/", "/search/?q=dana"])
def test_pages_render_for_an_agent(signed_in, url, ticket):
    assert signed_in.get(url).status_code == 200


def test_ticket_and_customer_pages_show_contact_points_and_order(signed_in, ticket, order, agent):
    from caredesk.core.audit import Actor
    from caredesk.tickets.actions import update_ticket

    update_ticket(ticket, actor=Actor.of_agent(agent), order=order)
    page = signed_in.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "dana@example.com" in page and "+1 415-555-0132" in page
    assert "PP-1001" in page and "Processing" in page
    customer_page = signed_in.get(f"/customers/{ticket.requester_id}/").content.decode()
    assert "PP-1001" in customer_page and ticket.subject in customer_page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/views/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_role_without_ticket_work_gets_403(client, roleless):
    client.force_login(roleless)
    assert client.get("/").status_code == 403
    assert client.get("/views/").status_code == 403


def test_admin_is_403_and_hidden_for_agents_but_linked_for_admins(client, agent, admin_agent):
    client.force_login(agent)
    assert client.get("/admin/").status_code == 403
    assert 'href="/admin/"' not in client.get("/").content.decode()
    client.force_login(admin_agent)
    assert client.get("/admin/").status_code == 200
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_back_office_cannot_add_contact_points(client, back_office, customer):
    client.force_login(back_office)
    assert client.post(f"/customers/{customer.pk}/contact-points/", {"email": "x@example.com"}).status_code == 403
    assert "Add an email" not in client.get(f"/customers/{customer.pk}/").content.decode()


def test_logging_a_call_needs_every_call_note(signed_in, ticket):
    data = {**CALL, "call-reason_for_call": ""}
    response = signed_in.post(f"/tickets/{ticket.pk}/compose/call/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Call notes need the reason for the call." in body
    assert 'id="id_call-reason_for_call_error"' in body
    assert not Interaction.objects.filter(ticket=ticket, kind="call").exists()


def test_every_missing_call_note_is_shown_at_once(signed_in, ticket):
    data = {**CALL, "call-caller_name": "", "call-actions_taken": " "}
    body = signed_in.post(f"/tickets/{ticket.pk}/compose/call/", data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="id_call-caller_name_error"' in body and 'id="id_call-actions_taken_error"' in body
    assert not Interaction.objects.filter(ticket=ticket, kind="call").exists()


def test_a_customer_call_nobody_answered_is_logged_without_call_notes(signed_in, ticket):
    """The same rule as the API's (caredesk.tickets.use_cases.call_notes_required)."""
    response = signed_in.post(f"/tickets/{ticket.pk}/compose/call/", {
        "call-direction": "inbound", "call-call_outcome": "missed"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "ticketChanged"
    call = Interaction.objects.get(ticket=ticket, kind="call")
    assert (call.direction, call.call_outcome, call.has_call_notes) == ("inbound", "missed", False)


def test_logging_a_call_needs_the_outcome(signed_in, ticket):
    response = signed_in.post(f"/tickets/{ticket.pk}/compose/call/", {**CALL, "call-call_outcome": ""})
    assert response.status_code == 422 and "Choose how the call ended." in response.content.decode()


def test_a_logged_call_keeps_its_notes_and_can_set_the_status(signed_in, ticket):
    response = signed_in.post(f"/tickets/{ticket.pk}/compose/call/", {**CALL, "call-then_status": "pending"},
                              HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "ticketChanged"
    call = Interaction.objects.get(ticket=ticket, kind="call")
    assert call.has_call_notes and call.call_outcome == "no_answer" and call.reason_for_call == "Photo rejected"
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    timeline = signed_in.get(f"/tickets/{ticket.pk}/timeline/").content.decode()
    assert "Reason for Call" in timeline and "Photo rejected" in timeline and "No answer" in timeline


def test_a_refused_status_change_rolls_the_call_back(signed_in, ticket, agent):
    from caredesk.core.audit import Actor
    from caredesk.tickets.actions import update_ticket
    from tests.integration.helpers import record_resolution

    record_resolution(ticket, Actor.of_agent(agent))
    update_ticket(ticket, actor=Actor.of_agent(agent), status="solved")
    response = signed_in.post(f"/tickets/{ticket.pk}/compose/call/", {**CALL, "call-then_status": "pending"},
                              HTTP_HX_REQUEST="true")
    assert "cannot become pending" in response.content.decode()
    assert not Interaction.objects.filter(ticket=ticket, kind="call").exists()


def test_reply_note_and_text_go_through_the_actions(signed_in, ticket, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ATTACHMENT_MAX_BYTES, settings.MEDIA_ROOT = 1024 * 1024, tmp_path

    reply = signed_in.post(f"/tickets/{ticket.pk}/compose/reply/", {
        "reply-body": "We are on it.", "reply-attachments": SimpleUploadedFile("form.pdf", b"%PDF-1", "application/pdf"),
    })
    assert reply.status_code == 302, [e for errors in reply.context["composer"]["reply"].errors.values() for e in errors]
    signed_in.post(f"/tickets/{ticket.pk}/compose/note/", {"note-body": "Checked with the office."})
    signed_in.post(f"/tickets/{ticket.pk}/compose/text/", {"text-direction": "outbound", "text-body": "Hi Dana"})
    kinds = list(Interaction.objects.filter(ticket=ticket).values_list("kind", "channel", "direction"))
    assert kinds == [("message", "email", "outbound"), ("note", "internal", "internal"),
                     ("message", "sms", "outbound")]
    assert ticket.attachments.get().filename == "form.pdf"


def test_an_empty_note_shows_the_error_beside_the_field(signed_in, ticket):
    body = signed_in.post(f"/tickets/{ticket.pk}/compose/note/", {"note-body": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="id_note-body_error"' in body and 'aria-invalid="true"' in body


def test_editing_a_property_in_place(signed_in, ticket, agent, make_agent):
    other = make_agent("devon", roles.AGENT, first_name="Devon")
    response = signed_in.post(f"/tickets/{ticket.pk}/properties/assignee/", {"prop-assignee-assignee": other.pk},
                              HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "timelineChanged"
    signed_in.post(f"/tickets/{ticket.pk}/properties/tags/", {"prop-tags-tags": "vip, Refund"}, HTTP_HX_REQUEST="true")
    ticket.refresh_from_db()
    assert ticket.assignee == other and sorted(ticket.tags.values_list("name", flat=True)) == ["refund", "vip"]
    bad = signed_in.post(f"/tickets/{ticket.pk}/properties/status/", {"prop-status-status": "closed"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "field-error" in bad


def test_new_ticket_for_a_new_customer(signed_in, agent):
    response = signed_in.post("/tickets/new/", {
        "new_name": "Ana Ruiz", "new_email": "ana@example.com", "new_phone": "(212) 555-0144",
        "subject": "Walk-in: renewal", "description": "Wants to renew a passport.", "channel": "web",
        "priority": "3", "tags": "walk-in", "assignee": agent.pk,
    })
    ticket = Ticket.objects.get(subject="Walk-in: renewal")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.requester.name == "Ana Ruiz" and ticket.requester.phones == ["+12125550144"]
    assert ticket.priority == 3 and list(ticket.tags.values_list("name", flat=True)) == ["walk-in"]


def test_new_ticket_errors_are_beside_each_field_and_nothing_is_half_written(signed_in, customer):
    response = signed_in.post("/tickets/new/", {
        "new_name": "Someone Else", "new_email": "dana@example.com", "subject": "Dup", "description": "x",
        "channel": "phone", "priority": "2",
    })
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_new_email_error"' in body and "already belongs to customer" in body
    assert not Customer.objects.filter(name="Someone Else").exists() and not Ticket.objects.exists()
    missing = signed_in.post("/tickets/new/", {"channel": "phone", "priority": "2"}).content.decode()
    assert 'id="id_subject_error"' in missing and 'id="id_description_error"' in missing
    assert 'id="id_new_name_error"' in missing


def test_a_new_customer_needs_a_way_to_reach_them(signed_in):
    """SOP 004, the API's rule: the use case names the requester's emails, shown beside the email field."""
    response = signed_in.post("/tickets/new/", {"new_name": "Ana Ruiz", "subject": "Walk-in", "description": "d",
                                                "channel": "web", "priority": "2"})
    body = response.content.decode()
    assert response.status_code == 422 and 'id="id_new_email_error"' in body
    assert not Customer.objects.filter(name="Ana Ruiz").exists() and not Ticket.objects.exists()


def test_a_customer_nobody_can_reach_gets_no_ticket(signed_in, actor):
    from caredesk.customers.actions import create_customer

    unreachable = create_customer(actor=actor, name="No Contact")
    response = signed_in.post("/tickets/new/", {"customer": unreachable.pk, "subject": "Call", "description": "d",
                                                "channel": "phone", "priority": "2"})
    assert response.status_code == 422 and "has no email address or phone number" in response.content.decode()
    assert not Ticket.objects.exists()


def test_new_ticket_for_an_existing_customer_found_by_lookup(signed_in, customer):
    matches = signed_in.get("/tickets/new/customers/?q=415 555 0132").content.decode()
    assert f'data-pick-customer="{customer.pk}"' in matches
    signed_in.post("/tickets/new/", {"customer": customer.pk, "subject": "Call", "description": "x",
                                     "channel": "phone", "priority": "2"})
    assert Ticket.objects.get(subject="Call").requester == customer


def test_back_office_cannot_create_customers(client, back_office):
    client.force_login(back_office)
    body = client.post("/tickets/new/", {"new_name": "X", "new_email": "x@example.com", "subject": "s",
                                         "description": "d", "channel": "phone", "priority": "2"}).content.decode()
    assert "cannot create customers" in body and not Customer.objects.filter(name="X").exists()


def test_view_filters_sorting_and_keyset_pages(signed_in, make_ticket, agent):
    for index in range(30):
        make_ticket(subject=f"Ticket {index:02}", tags=["vip"] if index % 2 else [], assignee=agent if index < 5 else None)
    page = signed_in.get("/views/?tag=vip&size=25").content.decode()
    assert "Ticket 29" in page and "Ticket 28" not in page
    first = signed_in.get("/views/?sort=number&dir=asc").context
    assert [t.subject for t in first["page"].tickets][:2] == ["Ticket 00", "Ticket 01"]
    second = signed_in.get("/views/" + first["next_href"]).context
    assert [t.subject for t in second["page"].tickets] == [f"Ticket {i:02}" for i in range(25, 30)]
    mine = signed_in.get("/views/?assignee=me").context["page"]
    assert mine.total == 5
    htmx = signed_in.get("/views/?status=new", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="view-results")
    assert htmx.templates[0].name == "web/partials/view_results.html"


def test_capped_counts_stop_at_the_cap(make_ticket, agent):
    for _ in range(7):
        make_ticket()
    (count, capped), (none, none_capped) = queries.capped_counts(
        [Ticket.objects.all(), Ticket.objects.filter(status="closed")], cap=5)
    assert (count, capped, none, none_capped) == (5, True, 0, False)


def test_saved_and_team_views(client, signed_in, agent, make_agent):
    from django.contrib.auth.models import Group as Role

    response = signed_in.post("/views/save/", {"name": "My VIPs", "tag": "vip", "status": "any",
                                               "shared_with": Role.objects.get(name=roles.AGENT).pk})
    view = SavedView.objects.get()
    assert response.status_code == 302 and view.filters == {"tag": "vip", "status": "any"}
    colleague = make_agent("devon", roles.AGENT)
    client.force_login(colleague)
    page = client.get("/views/").content.decode()
    assert "Team views" in page and "My VIPs" in page
    assert client.post(f"/views/{view.pk}/delete/").status_code == 403
    outsider = make_agent("bo", roles.BACK_OFFICE)
    client.force_login(outsider)
    assert "My VIPs" not in client.get("/views/").content.decode()
    assert client.get(f"/views/?saved={view.pk}").status_code == 404


def test_saving_changing_and_removing_a_view_is_audited_on_its_owner(signed_in, agent):
    from caredesk.core.models import AgentEvent

    signed_in.post("/views/save/", {"name": "Urgent", "priority": "4"})
    signed_in.post("/views/save/", {"name": "Urgent", "priority": "4"})  # the same filters: no change
    signed_in.post("/views/save/", {"name": "Urgent", "priority": "3"})
    view = SavedView.objects.get()
    signed_in.post(f"/views/{view.pk}/delete/")
    events = list(AgentEvent.objects.filter(agent=agent, action__startswith="saved_view."))
    assert [event.action for event in events] == ["saved_view.created", "saved_view.changed", "saved_view.deleted"]
    assert {event.actor for event in events} == {agent}
    assert (events[1].before["filters"]["priority"], events[1].after["filters"]["priority"]) == ("4", "3")
    assert events[2].before == {"id": view.pk, "name": "Urgent", "filters": view.filters, "shared_with": None}


def test_search_by_number_contact_points_name_and_body(signed_in, ticket, customer):
    assert signed_in.get(f"/search/?q=%23{ticket.pk}")["Location"] == f"/tickets/{ticket.pk}/"
    for text in ("dana@example.com", "415 555 0132", "whitf", "three weeks", "passport"):
        hits = signed_in.get("/search/", {"q": text}).context["page"].hits
        assert ("ticket", ticket.pk) in [(hit.source, hit.object_id) for hit in hits], text
    hits = signed_in.get("/search/", {"q": "DANA@example.com"}).context["page"].hits
    assert ("customer", customer.pk) in [(hit.source, hit.object_id) for hit in hits]


def test_the_views_never_write_models_themselves():
    """Every write goes through an actions module: no .save()/.delete()/.create() in the view code."""
    import pathlib
    import re

    views = pathlib.Path(__file__).resolve().parents[3] / "caredesk" / "web" / "views"
    for path in views.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\.(save|delete|create|update|bulk_create)\(", text), path.name
