"""The flag "additional review" (SOP 002): raised by every text that reaches a ticket, one per qualifier,
cleared with a reason; through the actions, the inbound email pipeline, SMS, voicemail and the API."""

from __future__ import annotations

import pytest

from caredesk.channels import sms, voice
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.review import actions
from caredesk.review.models import ReviewFlag
from caredesk.tickets.actions import add_interaction, create_ticket, update_ticket
from caredesk.tickets.models import Interaction, Ticket
from tests.integration.channels.conftest import channel_settings, email_bytes, receive  # noqa: F401  (fixtures)
from tests.integration.helpers import assert_problem, events_of, nothing_written, post_json

pytestmark = pytest.mark.django_db


def flags_of(ticket) -> dict[str, list[str]]:
    return {flag.qualifier: flag.matched for flag in ReviewFlag.objects.filter(ticket=ticket, cleared_at=None)}


def test_an_inbound_email_raises_the_flag_naming_the_qualifier_and_the_words(receive):
    receive(email_bytes(subject="Still no panels", body=(
        "I have waited three months. I've talked to legal counsel about this, and I'm filing a complaint "
        "with the Better Business Bureau.")))
    ticket = Ticket.objects.get()
    assert flags_of(ticket) == {"legal_counsel": ["talked to legal counsel"],
                                "better_business_bureau": ["Better Business Bureau"]}
    flag = ReviewFlag.objects.get(ticket=ticket, qualifier="legal_counsel")
    assert flag.qualifier_name == "Retained or contacted a lawyer or legal counsel"
    # The new ticket's description holds the body, checked when the ticket is created; the message itself
    # then finds the same words: the open flags stay as they are.
    assert events_of(ticket, action="review.flag_matched") == []
    raised = events_of(ticket, action="review.flag_raised")
    assert [event.after for event in raised] == [
        {"qualifier": "legal_counsel", "name": "Retained or contacted a lawyer or legal counsel",
         "matched": ["talked to legal counsel"], "reason": ""},
        {"qualifier": "better_business_bureau", "name": "Better Business Bureau complaint",
         "matched": ["Better Business Bureau"], "reason": ""},
    ]
    assert raised[0].actor_kind == "system"


def test_an_email_subject_is_checked_and_an_ordinary_email_raises_nothing(receive):
    receive(email_bytes(subject="Foreclosure notice because of your billing", body="See attached."))
    receive(email_bytes(sender="lee@example.org", subject="Passport photo", body="Can I send a new photo?"))
    flagged, ordinary = Ticket.objects.order_by("id")
    assert flags_of(flagged) == {"foreclosure_notice": ["Foreclosure"]}
    assert flags_of(ordinary) == {}


def test_a_second_match_of_the_same_qualifier_adds_its_words_to_the_open_flag(ticket, actor, customer):
    add_interaction(ticket, actor=Actor.customer(customer.name), channel="email", direction="inbound",
                    kind="message", body="My lawyer will call you.", author_customer=customer)
    add_interaction(ticket, actor=Actor.customer(customer.name), channel="email", direction="inbound",
                    kind="message", body="My attorney says this is a breach of contract.", author_customer=customer)
    add_interaction(ticket, actor=Actor.customer(customer.name), channel="email", direction="inbound",
                    kind="message", body="Again: my lawyer will call you.", author_customer=customer)
    assert ReviewFlag.objects.filter(ticket=ticket, qualifier="legal_counsel").count() == 1
    assert flags_of(ticket) == {"legal_counsel": ["lawyer", "attorney"],
                                "agreement_violations": ["breach of contract"]}
    assert [event.after["matched"] for event in events_of(ticket, action="review.flag_matched")] == [["attorney"]]


def test_call_notes_agents_notes_and_description_are_checked(ticket, actor):
    add_interaction(ticket, actor=actor, channel="phone", direction="inbound", kind="call",
                    call_outcome="answered", call_notes={
                        "caller_name": "Dana", "call_type": "Inbound", "customer_type": "Homeowner",
                        "reason_for_call": "Says the installer isn't licensed in this state",
                        "actions_taken": "Explained the process"})
    add_interaction(ticket, actor=actor, channel="internal", direction="internal", kind="note",
                    body="Customer mentioned a mechanic's lien was filed against them.")
    update_ticket(ticket, actor=actor, description="Customer is writing a review on Yelp so everyone knows.")
    assert set(flags_of(ticket)) == {"unlicensed_contractor", "creditor_lien", "social_media_complaint"}


def test_an_agents_outbound_reply_and_a_negated_mention_raise_nothing(ticket, actor, customer):
    add_interaction(ticket, actor=actor, channel="email", direction="outbound", kind="message",
                    body="We're sorry you felt you had to contact a lawyer.")
    add_interaction(ticket, actor=Actor.customer(customer.name), channel="email", direction="inbound",
                    kind="message", body="I am not going to sue anyone, the contractor's license plate is on video.",
                    author_customer=customer)
    assert flags_of(ticket) == {}


def test_sms_and_voicemail_transcriptions_are_checked(customer, channel_settings):  # noqa: F811
    text = sms.receive_sms(sid="SM1", from_number="+14155550132", to_number="+15005550006",
                           body="This is a scam and I'm telling everyone on Facebook")
    assert set(flags_of(text.ticket)) == {"fraudulent_claims", "social_media_complaint"}
    voicemail = voice.record_voicemail(recording_sid="RE1", call_sid="CA1", from_number="+14155550132",
                                       recording_url="https://api.twilio.com/RE1", duration_seconds=20)
    voice.record_transcription(transcription_sid="TR1", recording_sid="RE1",
                               text="Our house is in foreclosure because of your company")
    assert "foreclosure_notice" in flags_of(voicemail.ticket)


def test_clear_with_a_reason_then_a_new_match_raises_a_new_flag(ticket, actor, agent, customer):
    create = create_ticket(actor=actor, requester=customer, subject="BBB complaint", description="")
    flag = ReviewFlag.objects.get(ticket=create)
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        actions.clear_flag(flag, agent=agent, reason="   ")
    assert refused.value.field == "reason"
    cleared = actions.clear_flag(flag, agent=agent, reason="Customer withdrew the complaint on the call.")
    assert (cleared.cleared_by, cleared.clear_reason) == (agent, "Customer withdrew the complaint on the call.")
    event = events_of(create, action="review.flag_cleared")[0]
    assert event.actor == agent and event.after["reason"] == "Customer withdrew the complaint on the call."
    with pytest.raises(Conflict):
        actions.clear_flag(flag, agent=agent, reason="again")
    update_ticket(create, actor=actor, subject="BBB complaint filed after all")
    assert ReviewFlag.objects.filter(ticket=create).count() == 2 and flags_of(create) == {
        "better_business_bureau": ["BBB"]}


def test_the_api_shows_filters_and_clears_flags(api, actor, customer, ticket):
    flagged = create_ticket(actor=actor, requester=customer, subject="Complaint",
                            description="Customer mentioned contacting a lawyer.")
    detail = api.get(f"/api/v1/tickets/{flagged.pk}").json()
    [flag] = detail["review_flags"]
    assert (flag["qualifier"], flag["name"], flag["matched"], flag["open"]) == (
        "legal_counsel", "Retained or contacted a lawyer or legal counsel", ["lawyer"], True)
    assert api.get(f"/api/v1/tickets/{ticket.pk}").json()["review_flags"] == []
    listed = api.get("/api/v1/tickets?needs_review=true").json()["items"]
    assert [item["id"] for item in listed] == [flagged.pk]
    assert [item["id"] for item in api.get("/api/v1/tickets?needs_review=false").json()["items"]] == [ticket.pk]

    clear = f"/api/v1/tickets/{flagged.pk}/review-flags/{flag['id']}/clear"
    with nothing_written():
        assert_problem(post_json(api, clear, {"reason": ""}), 422, "reason")
        assert_problem(post_json(api, clear, {}), 422, "reason")
        assert_problem(post_json(api, clear, {"reason": "x", "extra": 1}), 422, "extra")
        assert_problem(post_json(api, f"/api/v1/tickets/{ticket.pk}/review-flags/{flag['id']}/clear",
                                 {"reason": "x"}), 404)
    response = post_json(api, clear, {"reason": "Lawyer was for an unrelated matter."})
    assert response.status_code == 200, response.content
    assert response.json()["open"] is False and response.json()["cleared_by"] == "maria"
    assert_problem(post_json(api, clear, {"reason": "again"}), 409)
    history = api.get(f"/api/v1/tickets/{flagged.pk}/review-flags").json()
    assert [(item["open"], item["clear_reason"]) for item in history] == [
        (False, "Lawyer was for an unrelated matter.")]
    assert api.get("/api/v1/tickets?needs_review=true").json()["items"] == []
    actions_seen = [event["action"] for event in api.get(f"/api/v1/tickets/{flagged.pk}/events").json()]
    assert actions_seen[-1] == "review.flag_cleared" and "review.flag_raised" in actions_seen


def test_the_api_refuses_agents_without_the_ticket_role(api_client_for, roleless, actor, customer):
    flagged = create_ticket(actor=actor, requester=customer, subject="Complaint", description="I will sue you.")
    flag = ReviewFlag.objects.get(ticket=flagged)
    client = api_client_for(roleless)
    assert_problem(client.get(f"/api/v1/tickets/{flagged.pk}/review-flags"), 403)
    assert_problem(post_json(client, f"/api/v1/tickets/{flagged.pk}/review-flags/{flag.pk}/clear",
                             {"reason": "no"}), 403)
    assert ReviewFlag.objects.get(pk=flag.pk).cleared_at is None


def test_a_teams_file_replaces_the_shipped_qualifiers(settings, tmp_path, actor, customer):
    path = tmp_path / "issues.yaml"
    path.write_text("version: 1\nqualifiers:\n  - key: chargeback\n    name: Chargeback threat\n"
                    "    phrases: [chargeback]\n")
    settings.SENSITIVE_ISSUES_FILE = str(path)
    ticket = create_ticket(actor=actor, requester=customer, subject="I will file a chargeback",
                           description="and call my lawyer")
    assert flags_of(ticket) == {"chargeback": ["chargeback"]}
