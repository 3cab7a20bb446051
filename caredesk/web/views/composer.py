"""The ticket composer: public reply, internal note, log a call (with the required Call Notes), log a text.

Each tab posts here; the interaction and an optional status change are one use case (caredesk.tickets.use_cases),
one transaction, so a refused status change leaves no half-logged call behind.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.knowledge import actions as knowledge_actions
from caredesk.tickets import use_cases
from caredesk.web import forms
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import composer_context, load_ticket, ticket_context

# The use cases name the API's fields (`call_notes.caller_name`); the forms' are these.
FIELD_MAP = {f"call_notes.{key}": key for key in use_cases.CALL_NOTES} | {"call_notes": "reason_for_call",
                                                                           "status": "then_status"}
SUCCESS = {"reply": "Reply sent.", "note": "Internal note added.", "call": "Call logged.", "text": "Text logged."}


def _article_uses(post) -> dict[int, str]:
    """The knowledge base articles the agent inserted into a reply: `articles` holds "<id>:link" or "<id>:text"."""
    uses = {}
    for value in post.getlist("articles")[:50]:
        article_id, _, how = value.partition(":")
        if article_id.isdigit():
            uses[int(article_id)] = how
    return uses


def _write(ticket, actor: Actor, tab: str, form, articles: dict[int, str]) -> None:
    data = form.cleaned_data
    then_status = data.get("then_status", "")
    attachments = forms.as_attachments(data.get("attachments"))
    if tab == "reply":
        with transaction.atomic():  # the reply and the articles it carried are recorded together
            sent = use_cases.reply(ticket, actor=actor, body=data["body"], attachments=attachments,
                                   then_status=then_status)
            if articles:
                knowledge_actions.record_uses(articles, interaction=sent, agent=actor.agent)
    elif tab == "note":
        use_cases.add_note(ticket, actor=actor, body=data["body"], attachments=attachments, then_status=then_status)
    elif tab == "call":
        use_cases.log_call(ticket, actor=actor, direction=data["direction"], outcome=data["call_outcome"],
                           call_notes=form.call_notes(), body=data["body"], then_status=then_status)
    elif tab == "text":
        use_cases.log_text(ticket, actor=actor, direction=data["direction"], body=data["body"], then_status=then_status)


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
            _write(ticket, Actor.of_agent(request.user), tab, form, _article_uses(request.POST))
        except DomainError as error:
            forms.show_domain_error(form, error, FIELD_MAP)
        else:
            if not request.htmx:
                return redirect("web:ticket", pk=pk)
            response = render(request, "web/partials/composer.html", composer_context(
                load_ticket(pk), active_tab=tab, composer_message=SUCCESS[tab]))
            response["HX-Trigger"] = "ticketChanged"  # the panels that show the change load themselves
            return response
    if request.htmx:
        return render(request, "web/partials/composer.html", composer_context(ticket, composer=form, active_tab=tab))
    return render(request, "web/ticket.html", ticket_context(request, ticket, composer=form, active_tab=tab),
                  status=422)
