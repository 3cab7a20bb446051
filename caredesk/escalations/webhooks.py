"""Twilio's callbacks for a warm transfer: the TwiML of the current rung, a rung unanswered, an agent's leg
answered, the voicemail. Each is signed (channels.webhooks.twilio_webhook) and answers fast: one locked row,
the ladder's decision, a few audit rows (benchmarks/twiml_callbacks.py)."""

from __future__ import annotations

from django.http import HttpResponse

from caredesk.channels.webhooks import TWIML, twilio_webhook
from caredesk.core.errors import Conflict, NotFound
from caredesk.core.models import Agent
from caredesk.escalations import actions
from caredesk.escalations.actions import rules_of
from caredesk.escalations.models import Escalation
from caredesk.escalations.telephony import ladder_twiml

UNANSWERED = {"no-answer", "busy", "failed", "canceled"}


def _escalation(escalation_id: int) -> Escalation:
    escalation = Escalation.objects.select_related("definition").filter(pk=escalation_id).first()
    if escalation is None:
        raise NotFound("No such escalation.", field="escalation")
    return escalation


def _twiml(escalation: Escalation) -> HttpResponse:
    """The TwiML of the escalation's state as it is in memory; the agents rung are those a ladder step just
    wrote (`ringing_usernames`), else one query."""
    ringing = []
    if escalation.status == Escalation.Status.RINGING:
        ringing = getattr(escalation, "ringing_usernames", None)
        if ringing is None:
            ringing = sorted(escalation.ringing.values_list("username", flat=True))
    seconds = (rules_of(escalation).transfer[escalation.rung].answer_within_seconds
               if escalation.status == Escalation.Status.RINGING else None)
    return HttpResponse(ladder_twiml(escalation, ringing, seconds), content_type=TWIML)


@twilio_webhook
def rung(request, params, escalation_id: int):
    """Where the customer's call is moved when the ladder starts: the rung ringing now."""
    return _twiml(_escalation(escalation_id))


@twilio_webhook
def rung_ended(request, params, escalation_id: int):
    """The Dial's action: its leg ended. Unanswered: the next rung now (the row read once, locked). Answered
    and over: what the ladder says (declined in the workspace, or hung up without accepting: the next rung;
    accepted: hang up)."""
    if params.get("DialCallStatus", "") in UNANSWERED:
        try:
            number = int(request.GET.get("rung", "0"))
        except ValueError:
            number = 0
        return _twiml(actions.ring_unanswered(escalation_id, rung=number))
    escalation = _escalation(escalation_id)
    if escalation.status == Escalation.Status.DISCUSSING and escalation.answered_by_id:
        # The agent's leg ended without accepting the handling: a decline, and the customer stays on the line.
        try:
            escalation = actions.decline(escalation, agent=escalation.answered_by, reason="hung up without accepting")
        except Conflict:
            escalation = _escalation(escalation_id)  # accepted or declined meanwhile in the workspace
    return _twiml(escalation)


@twilio_webhook
def answered(request, params, escalation_id: int):
    """An agent's leg was answered: they discuss the concern (accept or decline in the workspace)."""
    escalation = _escalation(escalation_id)
    agent = Agent.objects.filter(username=request.GET.get("agent", ""), is_active=True).first()
    if agent is not None:
        try:
            actions.answer(escalation, agent=agent)
        except Conflict:
            pass  # a second leg answering after the first: Twilio connects only one
    return HttpResponse(status=204)


@twilio_webhook
def recording(request, params, escalation_id: int):
    """The <Record> action (and its transcription callback): the voicemail on the escalation's ticket."""
    escalation = _escalation(escalation_id)
    try:
        seconds = max(int(params.get("RecordingDuration") or 0), 0)
    except ValueError:
        seconds = 0
    escalation = actions.receive_voicemail(escalation, recording_sid=params.get("RecordingSid", ""),
                                           recording_url=params.get("RecordingUrl", ""), duration_seconds=seconds,
                                           transcription=params.get("TranscriptionText", ""))
    return _twiml(escalation)
