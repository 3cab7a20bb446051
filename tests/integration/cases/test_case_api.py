"""Cases through the API: problem+json naming the missing field, nothing half-written, the role checks of the
queues and the report, and the whole way from opening to "Case Voided"."""

from __future__ import annotations

import pytest

from caredesk.cases.models import Case, PrimaryReason
from tests.integration.helpers import assert_problem, nothing_written, patch_json, post_json


@pytest.fixture
def payload(call):
    return {
        "primary_reason": PrimaryReason.objects.get(key="sales_misrepresentation").pk,
        "description": "The homeowner says the rep promised a lower rate.",
        "installer_point_of_view": "The rep says the rate was explained.", "interaction": call.pk,
        "concern_type": "Sales", "red_flags": "No signed disclosure.", "other_concerns": "None.",
        "welcome_call_voice_matches": False, "certificate_of_completion_reviewed": True,
        "documentation": "not_needed",
    }


@pytest.mark.parametrize("field", ["primary_reason", "description", "interaction", "red_flags",
                                   "welcome_call_voice_matches", "documentation"])
def test_opening_without_a_required_field_is_a_422_naming_it(api, escalated, payload, field):
    del payload[field]
    with nothing_written():
        assert_problem(post_json(api, f"/api/v1/tickets/{escalated.pk}/cases", payload), 422, field)


def test_from_opening_to_case_voided(api, api_client_for, escalated, payload, specialist, lead, agent):
    created = post_json(api, f"/api/v1/tickets/{escalated.pk}/cases", payload)
    assert created.status_code == 201, created.content
    case = created.json()
    assert (case["status"], case["primary_reason"], case["owner"]["name"]) == (
        "open", "Sales misrepresentation", "Maria Lopez")
    assigned = post_json(api, f"/api/v1/cases/{case['id']}/assign", {"assignee": specialist.pk}).json()
    assert (assigned["status"], assigned["assignee"]["name"]) == ("assigned", "Sam Reyes")
    sam = api_client_for(specialist)
    assert [row["id"] for row in sam.get("/api/v1/cases?queue=offered_to_me").json()] == [case["id"]]
    assert_problem(post_json(sam, f"/api/v1/cases/{case['id']}/reject", {}), 422, "reason")
    rejected = post_json(sam, f"/api/v1/cases/{case['id']}/reject", {"reason": "Belongs to sales"}).json()
    assert (rejected["status"], rejected["assignment"], rejected["closing_reason"]) == ("open", "rejected",
                                                                                        "Case Voided")
    assert_problem(post_json(sam, f"/api/v1/cases/{case['id']}/close", {"closed_reason": "Case Voided"}), 403)
    assert_problem(post_json(api, f"/api/v1/cases/{case['id']}/close", {"closed_reason": "Resolved"}), 422,
                   "closed_reason")
    closed = post_json(api, f"/api/v1/cases/{case['id']}/close", {"closed_reason": "Case Voided"}).json()
    assert (closed["status"], closed["closed_reason"], closed["closing_reason"]) == ("closed", "Case Voided", None)
    leigh = api_client_for(lead)
    assert leigh.get("/api/v1/cases/voided-report").json() == [
        {"outcome": "rejected", "reason": "Belongs to sales", "count": 1}]
    assert [row["id"] for row in leigh.get("/api/v1/cases?queue=voided").json()] == [case["id"]]
    summaries = [event["summary"] for event in api.get(f"/api/v1/tickets/{escalated.pk}/events").json()]
    assert any("rejected the assignment of case" in summary for summary in summaries)


def test_queues_and_the_report_answer_by_role(api, api_client_for, back_office, specialist, lead, escalated):
    for queue in ("all", "unassigned", "voided", "documentation_received"):
        assert_problem(api.get(f"/api/v1/cases?queue={queue}"), 403, "queue")
        assert_problem(api_client_for(specialist).get(f"/api/v1/cases?queue={queue}"), 403, "queue")
    assert api_client_for(back_office).get("/api/v1/cases?queue=documentation_received").status_code == 200
    assert_problem(api_client_for(back_office).get("/api/v1/cases?queue=all"), 403, "queue")
    for queue in ("all", "unassigned", "voided", "documentation_received"):
        assert api_client_for(lead).get(f"/api/v1/cases?queue={queue}").status_code == 200
    assert_problem(api.get("/api/v1/cases/voided-report"), 403)
    assert_problem(api.get("/api/v1/cases/9"), 404)


def test_the_documentation_request_and_back_office(api, api_client_for, escalated, payload, back_office,
                                                   frozen_clock):
    from datetime import timedelta

    from caredesk.tickets import actions as ticket_actions
    from caredesk.tickets.models import Channel

    payload.update(documentation="requested", documentation_needed="Your signed contract")
    case = post_json(api, f"/api/v1/tickets/{escalated.pk}/cases", payload).json()
    assert case["status"] == "waiting_on_documentation"
    frozen_clock.advance(timedelta(hours=1))
    reply = ticket_actions.receive_customer_message(
        escalated, customer=escalated.requester, channel=Channel.EMAIL, body="Attached.",
        attachments=[ticket_actions.NewAttachment("contract.pdf", "application/pdf", b"%PDF-1.4")])
    office = api_client_for(back_office)
    assert [row["id"] for row in office.get("/api/v1/cases?queue=documentation_received").json()] == [case["id"]]
    document = reply.attachments.get().pk
    assert_problem(post_json(api, f"/api/v1/cases/{case['id']}/documentation-received", {"documents": [document]}),
                   403)
    moved = post_json(office, f"/api/v1/cases/{case['id']}/documentation-received", {"documents": [document]}).json()
    assert (moved["status"], moved["documentation"], [item["filename"] for item in moved["documents"]]) == (
        "open", "received", ["contract.pdf"])
    assert Case.objects.get().documents.count() == 1


def test_editing_a_case_through_the_api(api, escalated, payload):
    case = post_json(api, f"/api/v1/tickets/{escalated.pk}/cases", payload).json()
    assert case["recording_id"] is None
    with nothing_written():
        assert_problem(patch_json(api, f"/api/v1/cases/{case['id']}", {"description": ""}), 422, "description")
    edited = patch_json(api, f"/api/v1/cases/{case['id']}", {"red_flags": "A second disclosure is missing."})
    assert edited.status_code == 200, edited.content
    assert edited.json()["red_flags"] == "A second disclosure is missing."
    assert edited.json()["description"] == payload["description"]
