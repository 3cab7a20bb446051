"""The ticket page: requester and order, flags, the Follow-up panel, properties edited in place, the merged
timeline with delivery states, documents."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.desk.models import Macro
from caredesk.resolutions.rules import composer_tab
from caredesk.review.queries import open_flags
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Attachment, CannedResponse, Ticket
from caredesk.web import deliveries, follow_ups, forms, queries
from caredesk.web.escalations import escalation_context
from caredesk.web.permissions import requires
from caredesk.web.recordings import ticket_recordings

RELATED_TICKETS = 5


def load_ticket(pk: int) -> Ticket:
    ticket = queries.ticket_for_page(pk)
    if ticket is None:
        raise Http404(f"No ticket #{pk}.")
    return ticket


def property_forms(ticket: Ticket, bound: dict | None = None) -> list:
    result = []
    for name in forms.PROPERTY_FIELDS:
        form = (bound or {}).get(name) or forms.property_form(name, ticket)
        result.append((name, form))
    return result


def composer_forms(ticket: Ticket, bound=None) -> dict:
    requester = ticket.requester
    initial = {
        "call": {"caller_name": requester.name,
                 "customer_type": requester.customer_type.name if requester.customer_type else ""},
    }
    built = {}
    for tab, form_class in forms.COMPOSER_FORMS.items():
        if bound is not None and bound.tab == tab:
            built[tab] = bound
        else:
            built[tab] = form_class(prefix=tab, initial=initial.get(tab))
    return built


def follow_up_context(ticket, *, bound=None, message: str = "") -> dict:
    """The panel's runs and a form for each open task and running run; `bound` (a form with errors)
    replaces one of them."""
    panels = follow_ups.ticket_follow_ups(ticket, clock.now())
    completion_forms, stop_forms = {}, {}
    for panel in panels:
        for task in panel.open_tasks:
            completion_forms[task.pk] = forms.TaskCompletionForm(task=task)
        if panel.running:
            stop_forms[panel.run.pk] = forms.StopFollowUpForm(run=panel.run)
    problem = ""
    if isinstance(bound, forms.TaskCompletionForm) and bound.task.pk in completion_forms:
        completion_forms[bound.task.pk] = bound
    elif isinstance(bound, forms.StopFollowUpForm) and bound.run.pk in stop_forms:
        stop_forms[bound.run.pk] = bound
    elif bound is not None:  # its task or run closed meanwhile: say so above the fresh panel
        problem = " ".join(error for errors in bound.errors.values() for error in errors)
    return {"ticket": ticket, "follow_ups": panels, "completion_forms": completion_forms, "stop_forms": stop_forms,
            "follow_up_message": message, "follow_up_problem": problem}


def flags_context(ticket) -> dict:
    return {"ticket": ticket, "flags": follow_ups.raised_flags(ticket)}


def review_context(ticket, *, bound: forms.ClearReviewFlagForm | None = None, message: str = "") -> dict:
    """The open flags, each with its clear form (`bound`, a form with errors, replaces its flag's)."""
    flags = open_flags(ticket)
    clear_forms = {flag.pk: forms.ClearReviewFlagForm(flag=flag) for flag in flags}
    problem = ""
    if bound is not None:
        if bound.flag.pk in clear_forms:
            clear_forms[bound.flag.pk] = bound
        else:  # cleared meanwhile (another agent, another tab): say so above the fresh banner
            problem = " ".join(error for errors in bound.errors.values() for error in errors)
    return {"ticket": ticket, "review_flags": flags, "review_forms": clear_forms, "review_message": message,
            "review_problem": problem}


def panels_context(request, ticket: Ticket, *, property_bound: dict | None = None, saved_field: str = "") -> dict:
    """What the panels that follow the ticket's changes need (head, banners, properties, escalation, follow-up,
    timeline: web/partials/ticket_live.html), and no more: the live refresh after every change elsewhere renders
    only these, without the composer, resolution, satisfaction and side panels' queries and forms."""
    return {
        "ticket": ticket,
        "requester": ticket.requester,
        "timeline": queries.merged_timeline(ticket, with_audit=request.user.can(roles.VIEW_AUDIT)),
        "deliveries": deliveries.ticket_deliveries(ticket),
        "recordings": ticket_recordings(ticket, request.user),
        **follow_up_context(ticket),
        **flags_context(ticket),
        **review_context(ticket),
        **escalation_context(ticket, agent=request.user, live_call=request.GET.get("call", "")),
        "property_forms": property_forms(ticket, property_bound),
        "saved_field": saved_field,
    }


def composer_context(ticket: Ticket, *, composer=None, active_tab: str = "", composer_message: str = "") -> dict:
    """What the composer (web/partials/composer.html) needs, and no more: its answer to a post renders only it."""
    return {
        "ticket": ticket,
        "composer": composer_forms(ticket, composer),
        "composer_labels": forms.COMPOSER_LABELS,
        "active_tab": active_tab or composer_tab(ticket.requester.preferred_channel),  # SOP 004's preferred channel
        "composer_message": composer_message,
        "canned": list(CannedResponse.objects.filter(active=True).order_by("name")),
    }


def ticket_context(request, ticket: Ticket, *, composer=None, active_tab: str = "",
                   property_bound: dict | None = None, composer_message: str = "", saved_field: str = "") -> dict:
    writing = composer_context(ticket, composer=composer, active_tab=active_tab, composer_message=composer_message)
    return {
        **panels_context(request, ticket, property_bound=property_bound, saved_field=saved_field),
        **writing,
        "macros": list(Macro.objects.filter(active=True)),
        "canned_data": [{"id": c.pk, "name": c.name, "tabs": c.tabs, "body": c.body} for c in writing["canned"]],
        "documents_form": forms.SupportingDocumentsForm(),
        "other_tickets": list(
            Ticket.objects.filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk)
            .only("id", "subject", "status", "updated_at").order_by("-id")[:RELATED_TICKETS]
        ),
    }


@requires(roles.WORK_TICKETS)
def ticket_page(request, pk: int):
    ticket = load_ticket(pk)
    return render(request, "web/ticket.html", ticket_context(request, ticket))


@requires(roles.WORK_TICKETS)
def ticket_timeline(request, pk: int):
    ticket = load_ticket(pk)
    return render(request, "web/partials/timeline.html", {
        "ticket": ticket, "timeline": queries.merged_timeline(ticket, with_audit=request.user.can(roles.VIEW_AUDIT)),
        "deliveries": deliveries.ticket_deliveries(ticket),
        "recordings": ticket_recordings(ticket, request.user),
    })


@requires(roles.WORK_TICKETS)
def ticket_head(request, pk: int):
    return render(request, "web/partials/ticket_head.html", {"ticket": load_ticket(pk)})


@requires(roles.WORK_TICKETS)
def linked_order(request, pk: int):
    """The Linked order card, refreshed when the ticket changes (its order is a property)."""
    return render(request, "web/partials/linked_order.html", {"ticket": load_ticket(pk)})


@requires(roles.WORK_TICKETS)
def ticket_properties(request, pk: int):
    ticket = load_ticket(pk)
    return render(request, "web/partials/properties.html", {"ticket": ticket, "property_forms": property_forms(ticket)})


@requires(roles.WORK_TICKETS)
@require_POST
def edit_property(request, pk: int, name: str):
    if name not in forms.PROPERTY_FIELDS:
        raise Http404(f"{name} is not a ticket property.")
    ticket = load_ticket(pk)
    form = forms.property_form(name, ticket, data=request.POST)
    saved = False
    if form.is_valid():
        value = form.cleaned_data[name]
        if name == "tags":
            value = forms.tag_names(value)
        try:
            ticket_actions.update_ticket(ticket, actor=Actor.of_agent(request.user), **{name: value})
            saved = True
        except DomainError as error:
            forms.show_domain_error(form, error)
    if not request.htmx:
        if not saved:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("web:ticket", pk=pk)
    ticket = load_ticket(pk) if saved else ticket
    response = render(request, "web/partials/properties.html", {
        "ticket": ticket, "property_forms": property_forms(ticket, None if saved else {name: form}),
        "saved_field": name if saved else "",
    })
    if saved:
        response["HX-Trigger"] = "timelineChanged"
    return response


@requires(roles.WORK_TICKETS)
@require_POST
def add_documents(request, pk: int):
    ticket = load_ticket(pk)
    form = forms.SupportingDocumentsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            for attachment in forms.as_attachments(form.cleaned_data["documents"]):
                ticket_actions.add_supporting_document(ticket, actor=Actor.of_agent(request.user),
                                                       attachment=attachment)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            count = len(form.cleaned_data["documents"])
            messages.success(request, f"Added {count} supporting document{'s' if count != 1 else ''}.")
    else:
        messages.error(request, "Choose at least one file to add.")
    return redirect("web:ticket", pk=pk)


@requires(roles.WORK_TICKETS)
@require_POST
def remove_document(request, pk: int, attachment_id: int):
    attachment = Attachment.objects.filter(pk=attachment_id, ticket_id=pk).first()
    if attachment is None:
        raise Http404("No such document on this ticket.")
    ticket_actions.remove_attachment(attachment, actor=Actor.of_agent(request.user))
    messages.success(request, f"Removed {attachment.filename}; its file is deleted.")
    if request.headers.get("HX-Request"):  # asked after htmx's confirmation: the page is loaded again
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("web:ticket", args=[pk])})
    return redirect("web:ticket", pk=pk)


@requires(roles.WORK_TICKETS)
def download_attachment(request, pk: int, attachment_id: int):
    attachment = Attachment.objects.filter(pk=attachment_id, ticket_id=pk).first()
    if attachment is None:
        raise Http404("No such document on this ticket.")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type)
