"""The ticket composer: public reply, internal note, log a call (with the required Call Notes), log a text.

Each tab posts here; the interaction (and an optional status change) is written through the ticket actions
in one transaction, so a refused status change leaves no half-logged call behind.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Channel, Interaction
from caredesk.web import forms
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import load_ticket, ticket_context

SUCCESS = {"reply": "Reply sent.", "note": "Internal note added.", "call": "Call logged.", "text": "Text logged."}


def _write(ticket, actor: Actor, tab: str, form) -> None:
    data = form.cleaned_data
    common = {"actor": actor, "body": data.get("body", "")}
    if tab == "reply":
        ticket_actions.add_interaction(
            ticket, channel=Channel.EMAIL, direction=Interaction.Direction.OUTBOUND, kind=Interaction.Kind.MESSAGE,
            attachments=forms.as_attachments(data["attachments"]), **common)
    elif tab == "note":
        ticket_actions.add_interaction(
            ticket, channel=Channel.INTERNAL, direction=Interaction.Direction.INTERNAL, kind=Interaction.Kind.NOTE,
            attachments=forms.as_attachments(data["attachments"]), **common)
    elif tab == "call":
        ticket_actions.add_interaction(
            ticket, channel=Channel.PHONE, direction=data["direction"], kind=Interaction.Kind.CALL,
            call_outcome=data["call_outcome"], call_notes=form.call_notes(), **common)
    elif tab == "text":
        inbound = data["direction"] == Interaction.Direction.INBOUND
        ticket_actions.add_interaction(
            ticket, channel=Channel.SMS, direction=data["direction"], kind=Interaction.Kind.MESSAGE,
            author_customer=ticket.requester if inbound else None, **common)
    then_status = data.get("then_status")
    if then_status and then_status != ticket.status:
        ticket_actions.update_ticket(ticket, actor=actor, status=then_status)


@requires(roles.WORK_TICKETS)
@require_POST
def compose(request, pk: int, tab: str):
    form_class = forms.COMPOSER_FORMS.get(tab)
    if form_class is None:
        raise Http404(f"No composer tab {tab!r}.")
    ticket = load_ticket(pk)
    form = form_class(request.POST, request.FILES, prefix=tab)
    if form.is_valid():
        try:
            with transaction.atomic():
                _write(ticket, Actor.of_agent(request.user), tab, form)
        except DomainError as error:
            forms.show_domain_error(form, error, {"call_notes": "reason_for_call", "attachments": "attachments"})
        else:
            if not request.htmx:
                return redirect("web:ticket", pk=pk)
            ticket = load_ticket(pk)
            response = render(request, "web/partials/composer.html", ticket_context(
                request, ticket, active_tab=tab, composer_message=SUCCESS[tab]))
            response["HX-Trigger"] = "ticketChanged"
            return response
    context = ticket_context(request, ticket, composer=form, active_tab=tab)
    if request.htmx:
        return render(request, "web/partials/composer.html", context)
    return render(request, "web/ticket.html", context, status=422)
