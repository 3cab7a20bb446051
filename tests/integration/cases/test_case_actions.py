"""Cases through their actions (SOP 003): the required fields, the documentation request and Back Office,
the assignment and "Case Voided", every change on the ticket's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.cases import actions, queries
from caredesk.cases.models import CASE_VOIDED, Case
from caredesk.channels.models import OutboundMessage
from caredesk.core.errors import Conflict, Forbidden, ValidationFailed
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.actions import NewAttachment
from caredesk.tickets.models import Channel
from tests.integration.helpers import events_of, nothing_written

REQUIRED = ["primary_reason", "description", "installer_point_of_view", "interaction", "concern_type",
            "red_flags", "other_concerns", "welcome_call_voice_matches", "certificate_of_completion_reviewed",
            "documentation"]


def kinds(ticket):
    return [event.action for event in events_of(ticket) if event.action.startswith("case.")]


@pytest.mark.parametrize("name", REQUIRED)
def test_a_case_is_not_saved_without_each_required_field(escalated, agent, complete, name):
    empty = {"welcome_call_voice_matches": None, "certificate_of_completion_reviewed": None,
             "primary_reason": None, "interaction": None}.get(name, "")
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        actions.open_case(escalated, agent=agent, new=complete(**{name: empty}))
    assert refused.value.field == name


def test_documentation_provided_needs_documents_and_a_request_needs_what_is_missing(escalated, agent, complete):
    with pytest.raises(ValidationFailed) as refused:
        actions.open_case(escalated, agent=agent, new=complete(documentation="provided"))
    assert refused.value.field == "documents"
    with pytest.raises(ValidationFailed) as refused:
        actions.open_case(escalated, agent=agent, new=complete(documentation="requested"))
    assert refused.value.field == "documentation_needed"


def test_a_case_needs_a_ticket_under_escalation_and_an_interaction_of_that_ticket(ticket, agent, actor, complete,
                                                                                    escalated):
    other = ticket_actions.create_ticket(actor=actor, requester=escalated.requester, subject="Another")
    with pytest.raises(Conflict) as refused:
        actions.open_case(other, agent=agent, new=complete())
    assert refused.value.field == "ticket"
    note = ticket_actions.add_interaction(other, actor=actor, channel=Channel.INTERNAL, direction="outbound",
                                          kind="note", body="elsewhere")
    with pytest.raises(ValidationFailed) as refused:
        actions.open_case(escalated, agent=agent, new=complete(interaction=note.pk))
    assert refused.value.field == "interaction"


def test_opening_with_documents_provided(escalated, agent, complete):
    case = actions.open_case(escalated, agent=agent, new=complete(
        documentation="provided", uploads=[NewAttachment("contract.pdf", "application/pdf", b"%PDF-1.4")]))
    assert (case.status, case.documentation, case.owner) == ("open", "provided", agent)
    assert [document.filename for document in case.documents.all()] == ["contract.pdf"]
    assert kinds(escalated) == ["case.opened"]


def test_the_documentation_request_reaches_back_office_with_the_reply(escalated, agent, complete, back_office,
                                                                      frozen_clock):
    case = actions.open_case(escalated, agent=agent, new=complete(
        documentation="requested", documentation_needed="A copy of your signed contract"))
    assert case.status == Case.Status.WAITING_ON_DOCUMENTATION
    email = OutboundMessage.objects.get(ticket=escalated)
    assert "A copy of your signed contract" in email.body and email.to == ["dana@example.com"]
    assert list(queries.documentation_received()) == []
    frozen_clock.advance(timedelta(hours=2))
    reply = ticket_actions.receive_customer_message(
        escalated, customer=escalated.requester, channel=Channel.EMAIL, body="Here it is.",
        attachments=[NewAttachment("contract.pdf", "application/pdf", b"%PDF-1.4")])
    assert list(queries.documentation_received()) == [case]
    with pytest.raises(Forbidden):
        actions.receive_documentation(case, agent=agent, documents=[reply.attachments.get().pk])
    case = actions.receive_documentation(case, agent=back_office, documents=[reply.attachments.get().pk])
    assert (case.status, case.documentation) == ("open", "received")
    assert list(queries.documentation_received()) == []
    assert kinds(escalated) == ["case.opened", "case.documentation_requested", "case.documents_attached",
                                "case.documentation_received"]


def test_a_refusal_still_creates_the_case_assigned_to_a_resolution_lead(escalated, agent, complete, lead,
                                                                       specialist):
    with pytest.raises(ValidationFailed) as refused:
        actions.open_case(escalated, agent=agent, new=complete(documentation="refused", resolution_lead=specialist.pk))
    assert refused.value.field == "resolution_lead"
    case = actions.open_case(escalated, agent=agent, new=complete(documentation="refused", resolution_lead=lead.pk))
    assert (case.status, case.assignee, case.assignment) == ("assigned", lead, "offered")
    assert list(queries.queue("offered_to_me", lead)) == [case]
    assert kinds(escalated) == ["case.opened", "case.documentation_refused"]


def test_a_rejected_assignment_is_closed_as_case_voided(escalated, agent, complete, specialist, lead):
    case = actions.open_case(escalated, agent=agent, new=complete())
    with pytest.raises(ValidationFailed) as refused:
        actions.assign(case, agent=agent, assignee=lead.pk)
    assert refused.value.field == "assignee"
    case = actions.assign(case, agent=agent, assignee=specialist.pk)
    with pytest.raises(Forbidden):
        actions.accept(case, agent=agent)
    with pytest.raises(ValidationFailed) as refused:
        actions.reject(case, agent=specialist, reason=" ")
    assert refused.value.field == "reason"
    case = actions.reject(case, agent=specialist, reason="Not a specialist matter")
    assert (case.status, case.assignment) == ("open", "rejected")
    assert actions.closing_reason(case) == CASE_VOIDED
    with pytest.raises(ValidationFailed) as refused:
        actions.close_case(case, agent=agent, closed_reason="Resolved")
    assert refused.value.field == "closed_reason"
    with pytest.raises(Forbidden):
        actions.close_case(case, agent=specialist, closed_reason=CASE_VOIDED)
    case = actions.close_case(case, agent=agent, closed_reason=CASE_VOIDED)
    assert (case.status, case.closed_reason) == ("closed", CASE_VOIDED)
    assert queries.voided_by_reason() == [{"outcome": "rejected", "reason": "Not a specialist matter", "count": 1}]
    assert kinds(escalated) == ["case.opened", "case.assigned", "case.assignment_rejected", "case.closed"]


def test_an_accepted_case_returned_is_voided_and_an_accepted_one_resolved(escalated, agent, complete, specialist):
    case = actions.assign(actions.open_case(escalated, agent=agent, new=complete()), agent=agent,
                          assignee=specialist.pk)
    case = actions.accept(case, agent=specialist)
    assert (case.status, case.assignment) == ("assigned", "accepted")
    with pytest.raises(ValidationFailed):
        actions.close_case(case, agent=agent, closed_reason=CASE_VOIDED)
    case = actions.return_case(case, agent=specialist, reason="Needs the sales team")
    case = actions.close_case(case, agent=agent, closed_reason=CASE_VOIDED)
    other = actions.open_case(escalated, agent=agent, new=complete())
    other = actions.close_case(other, agent=agent, closed_reason="Resolved")
    assert (other.closed_reason, case.closed_reason) == ("Resolved", CASE_VOIDED)
    assert queries.voided_by_reason() == [{"outcome": "returned", "reason": "Needs the sales team", "count": 1}]


def test_the_case_links_the_recording_of_its_call_or_the_recording_named(escalated, agent, complete, call, actor):
    from caredesk.recordings import actions as recording_actions

    kept = recording_actions.record_console_recording(call)
    case = actions.open_case(escalated, agent=agent, new=complete())
    assert (case.interaction, case.recording) == (call, kept)  # the interaction's own recording
    voicemail = ticket_actions.add_interaction(
        escalated, actor=actor, channel=Channel.VOICEMAIL, direction="inbound", kind="call",
        call_outcome="voicemail_left", body="Call me back.")
    left = recording_actions.record_console_recording(voicemail)
    named = actions.open_case(escalated, agent=agent, new=complete(interaction=None, recording=left.pk))
    assert (named.interaction, named.recording) == (voicemail, left)  # the recording names its voicemail
    with pytest.raises(ValidationFailed) as refused:
        actions.open_case(escalated, agent=agent, new=complete(interaction=call.pk, recording=left.pk))
    assert refused.value.field == "recording"


def test_editing_keeps_the_required_fields_and_is_audited(escalated, agent, complete, specialist, make_agent):
    case = actions.open_case(escalated, agent=agent, new=complete())
    for name, empty in (("red_flags", "  "), ("primary_reason", None), ("interaction", None),
                        ("certificate_of_completion_reviewed", None)):
        with nothing_written(), pytest.raises(ValidationFailed) as refused:
            actions.edit_case(case, agent=agent, changes={name: empty})
        assert refused.value.field == name
    with pytest.raises(Forbidden):
        actions.edit_case(case, agent=make_agent("otto"), changes={"red_flags": "More"})
    with pytest.raises(ValidationFailed) as refused:
        actions.edit_case(case, agent=agent, changes={"status": "closed"})
    assert refused.value.field == "status"
    edited = actions.edit_case(case, agent=agent, changes={"red_flags": "The dates disagree; two signatures.",
                                                           "certificate_of_completion_reviewed": False,
                                                           "description": case.description})
    assert (edited.red_flags, edited.certificate_of_completion_reviewed) == ("The dates disagree; two signatures.",
                                                                             False)
    [event] = events_of(escalated, action="case.edited")
    assert event.after["changes"] == {
        "red_flags": {"before": "The dates disagree.", "after": "The dates disagree; two signatures."},
        "certificate_of_completion_reviewed": {"before": True, "after": False}}
    with nothing_written():
        actions.edit_case(edited, agent=agent, changes={"red_flags": edited.red_flags})  # no change, no event
    actions.assign(edited, agent=agent, assignee=specialist.pk)
    actions.edit_case(edited, agent=specialist, changes={"other_concerns": "Seen by the specialist."})
    actions.close_case(actions.reject(edited, agent=specialist, reason="Not mine"), agent=agent,
                       closed_reason=CASE_VOIDED)
    with pytest.raises(Conflict):
        actions.edit_case(edited, agent=agent, changes={"red_flags": "Too late"})
