"""The workspace's case form, case page and queues: the form refuses a missing field and keeps what was typed,
the steps run through the page, the queues answer by role."""

from __future__ import annotations

from django.test import Client

from caredesk.cases.models import Case, PrimaryReason


def form(call, **changes) -> dict:
    data = {"primary_reason": PrimaryReason.objects.get(key="other").pk, "description": "Overview of the call",
            "installer_point_of_view": "The installer's view", "interaction": call.pk, "concern_type": "Billing",
            "red_flags": "Two invoices", "other_concerns": "None", "welcome_call_voice_matches": "yes",
            "certificate_of_completion_reviewed": "no", "documentation": "not_needed"}
    data.update(changes)
    return data


def signed_in(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def test_the_ticket_links_to_the_case_form_which_names_a_missing_field(agent, escalated, call):
    client = signed_in(agent)
    assert f"/tickets/{escalated.pk}/cases/new/" in client.get(f"/tickets/{escalated.pk}/").content.decode()
    answer = client.post(f"/tickets/{escalated.pk}/cases/new/", form(call, red_flags=""))
    assert answer.status_code == 422
    html = answer.content.decode()
    assert 'data-field="red_flags"' in html and "Overview of the call" in html
    assert Case.objects.count() == 0
    answer = client.post(f"/tickets/{escalated.pk}/cases/new/", form(call))
    case = Case.objects.get()
    assert answer.status_code == 302 and answer.url == f"/cases/{case.pk}/"
    html = client.get(answer.url).content.decode()
    assert "Overview of the call" in html and "opened case" in html


def test_rejected_then_voided_through_the_page(agent, escalated, call, specialist, lead):
    client = signed_in(agent)
    client.post(f"/tickets/{escalated.pk}/cases/new/", form(call))
    case = Case.objects.get()
    client.post(f"/cases/{case.pk}/assign/", {"assignee": specialist.pk})
    sam = signed_in(specialist)
    assert f"/cases/{case.pk}/" in sam.get("/cases/?queue=offered_to_me").content.decode()
    sam.post(f"/cases/{case.pk}/reject/", {"reason": "Not for specialists"})
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<option value="Case Voided" selected>' in html
    client.post(f"/cases/{case.pk}/close/", {"closed_reason": "Case Voided"})
    case.refresh_from_db()
    assert (case.status, case.closed_reason) == ("closed", "Case Voided")
    html = client.get(f"/tickets/{escalated.pk}/").content.decode()  # a customer calling again: what changed
    assert "Last update" in html and "closed case" in html and "Case Voided" in html
    html = signed_in(lead).get("/cases/?queue=voided").content.decode()
    assert "Not for specialists" in html and f"/cases/{case.pk}/" in html


def test_queues_by_role(agent, back_office, lead):
    assert signed_in(agent).get("/cases/?queue=all").status_code == 403
    assert signed_in(back_office).get("/cases/").status_code == 200
    assert signed_in(back_office).get("/cases/?queue=unassigned").status_code == 403
    assert signed_in(lead).get("/cases/?queue=unassigned").status_code == 200


def test_editing_through_the_page_keeps_the_rules_and_shows_the_change(agent, escalated, call):
    client = signed_in(agent)
    client.post(f"/tickets/{escalated.pk}/cases/new/", form(call))
    case = Case.objects.get()
    assert f"/cases/{case.pk}/edit/" in client.get(f"/cases/{case.pk}/").content.decode()
    page = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert "Two invoices" in page and 'value="yes" selected' in page
    refused = client.post(f"/cases/{case.pk}/edit/", form(call, concern_type=""))
    assert refused.status_code == 422 and 'data-field="concern_type"' in refused.content.decode()
    saved = client.post(f"/cases/{case.pk}/edit/", form(call, concern_type="Billing and sales"))
    assert saved.status_code == 302
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Billing and sales" in html and "edited case" in html
