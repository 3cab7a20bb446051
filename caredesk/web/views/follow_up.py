"""The ticket page's Follow-up panel and flags: complete an attempt, stop a follow-up, clear a flag.

Every change goes through caredesk.playbooks.actions; the playbook takes a completed attempt from there
(the note "1/3", the status, the next step). Each POST answers with its fragment for htmx and tells the
rest of the page (timeline, header, properties) to refresh; without htmx it redirects to the ticket.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.playbooks import actions
from caredesk.web import follow_ups, forms
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import flags_context, follow_up_context, load_ticket

# The panel and the flags refresh on ticketChanged except when they sent it themselves.
CHANGED_BY = {"follow-up": json.dumps({"ticketChanged": {"source": "follow-up"}}),
              "flags": json.dumps({"ticketChanged": {"source": "flags"}})}


def _answer(request, ticket, template: str, context: dict, *, changed_by: str = "", form=None):
    """The fragment for htmx; without it, back to the ticket's panel with any error as a message."""
    if not request.htmx:
        if form is not None and form.errors:
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(reverse("web:ticket", args=[ticket.pk]) + "#follow-up")
    response = render(request, template, context)
    if changed_by:
        response["HX-Trigger"] = CHANGED_BY[changed_by]
    return response


@requires(roles.WORK_TICKETS)
def follow_up_panel(request, pk: int):
    return render(request, "web/partials/follow_up.html", follow_up_context(load_ticket(pk)))


@requires(roles.WORK_TICKETS)
def ticket_flags(request, pk: int):
    return render(request, "web/partials/flags.html", flags_context(load_ticket(pk)))


@requires(roles.WORK_TICKETS)
@require_POST
def complete_task(request, pk: int, task_id: int):
    ticket = load_ticket(pk)
    task = follow_ups.ticket_task(ticket, task_id)
    if task is None:
        raise Http404("No such follow-up task on this ticket.")
    form = forms.TaskCompletionForm(request.POST, task=task)
    if form.is_valid():
        try:
            actions.complete_task(task, agent=request.user, channels_tried=form.cleaned_data["channels_tried"],
                                  reached=form.cleaned_data["reached"])
        except DomainError as error:
            forms.show_domain_error(form, error)
        else:
            return _answer(request, ticket, "web/partials/follow_up.html",
                           follow_up_context(ticket, message="Attempt recorded."), changed_by="follow-up")
    return _answer(request, ticket, "web/partials/follow_up.html", follow_up_context(ticket, bound=form), form=form)


@requires(roles.WORK_TICKETS)
@require_POST
def stop_follow_up(request, pk: int, run_id: int):
    ticket = load_ticket(pk)
    run = follow_ups.ticket_run(ticket, run_id)
    if run is None:
        raise Http404("No such follow-up on this ticket.")
    form = forms.StopFollowUpForm(request.POST, run=run)
    if form.is_valid():
        try:
            actions.cancel_run(run, agent=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            forms.show_domain_error(form, error, {"run": "reason"})
        else:
            return _answer(request, ticket, "web/partials/follow_up.html",
                           follow_up_context(ticket, message="Follow-up stopped."), changed_by="follow-up")
    return _answer(request, ticket, "web/partials/follow_up.html", follow_up_context(ticket, bound=form), form=form)


@requires(roles.WORK_TICKETS)
@require_POST
def clear_flag(request, pk: int, flag: str):
    ticket = load_ticket(pk)
    try:
        actions.clear_flag(ticket, flag, agent=request.user)
    except DomainError:
        pass  # cleared meanwhile (another agent, another tab): the fresh list says so
    return _answer(request, ticket, "web/partials/flags.html", flags_context(ticket), changed_by="flags")
