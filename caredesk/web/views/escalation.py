"""The ticket page's Escalation panel, the transfers and callbacks in My work, and an agent's presence.

Escalation is never offered (SOP 003): the panel shows only "The customer asked to escalate" until an agent
records it; then the customer's two choices; then the live state of the warm transfer (polled every two
seconds while a rung rings), with Answer for the agents it rings and Accept/Decline for the one who answered.
Every change goes through caredesk.escalations.actions.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core import actions as agent_actions
from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.escalations import actions
from caredesk.escalations.describe import describe, for_agent
from caredesk.escalations.models import Escalation
from caredesk.web.escalations import escalation_context
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import load_ticket

CHANGED = json.dumps({"ticketChanged": {"source": "escalation"}})
PRESENCES = {"available": "Available", "busy": "Away"}


@requires(roles.WORK_TICKETS)
def escalation_panel(request, pk: int):
    ticket = load_ticket(pk)
    return render(request, "web/partials/escalation.html",
                  escalation_context(ticket, agent=request.user, live_call=request.GET.get("call", "")))


STEPS = {
    "request": lambda ticket, escalation, agent, form: actions.record_request(ticket, agent=agent,
                                                                               reason=form.get("text", "")),
    "agreed_to_wait": lambda ticket, escalation, agent, form: actions.record_choice(escalation, agent=agent,
                                                                                  waits=True),
    # with the customer's live call (a softphone's screen pop opens the ticket with ?call=CA...), the
    # transfer provider moves that call down the ladder
    "refused_to_wait": lambda ticket, escalation, agent, form: actions.record_choice(
        escalation, agent=agent, waits=False, call_sid=form.get("call_sid", "")),
    "answer": lambda ticket, escalation, agent, form: actions.answer(escalation, agent=agent),
    "accept": lambda ticket, escalation, agent, form: actions.accept(escalation, agent=agent),
    "decline": lambda ticket, escalation, agent, form: actions.decline(escalation, agent=agent,
                                                                       reason=form.get("text", "")),
    "callback": lambda ticket, escalation, agent, form: actions.record_callback(escalation, agent=agent,
                                                                                note=form.get("text", "")),
}


@requires(roles.WORK_TICKETS)
@require_POST
def escalation_step(request, pk: int, step: str):
    """One step of the escalation: `request` on the ticket; the others on its latest escalation."""
    if step not in STEPS:
        raise Http404("No such escalation step.")
    ticket = load_ticket(pk)
    escalation = None
    if step != "request":
        escalation = Escalation.objects.filter(ticket=ticket).order_by("-requested_at", "-id").first()
        if escalation is None:
            raise Http404("The customer has not asked to be escalated on this ticket.")
    problem = ""
    try:
        STEPS[step](ticket, escalation, request.user, {name: request.POST.get(name, "")[:2000]
                                                       for name in ("text", "call_sid")})
    except DomainError as error:
        problem = error.detail
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        return redirect(reverse("web:ticket", args=[ticket.pk]) + "#escalation")
    response = render(request, "web/partials/escalation.html",
                      escalation_context(ticket, agent=request.user, problem=problem,
                                         live_call=request.POST.get("call_sid", "")))
    if not problem:
        response["HX-Trigger"] = CHANGED
    return response


def my_escalations_context(agent) -> dict:
    return {"my_escalations": [describe(escalation) for escalation in for_agent(agent)],
            "presence": agent.presence, "presences": PRESENCES}


@requires(roles.WORK_TICKETS)
def my_escalations(request):
    """My work's transfers ringing me and callbacks for my roles, polled so a ringing transfer shows at once."""
    return render(request, "web/partials/my_escalations.html", my_escalations_context(request.user))


@requires(roles.WORK_TICKETS)
@require_POST
def set_presence(request):
    presence = request.POST.get("presence", "")
    try:
        agent_actions.set_presence(request.user, presence, actor=Actor.of_agent(request.user))
    except DomainError as error:
        messages.error(request, error.detail)
    if not request.htmx:
        return redirect("web:home")
    return render(request, "web/partials/my_escalations.html", my_escalations_context(request.user))
