"""The ticket page's Satisfaction panel: the CSAT survey and its answer, the review of a bad rating, and the
Care Clarifications Form (SOP 000) with its entries, or the reason it is refused."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from caredesk.clarifications import actions as clarification_actions
from caredesk.clarifications.forms import ClarificationForm
from caredesk.clarifications.models import Clarification
from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.surveys import actions as survey_actions
from caredesk.surveys import queries as survey_queries
from caredesk.surveys.models import RatingReview
from caredesk.tickets.models import Ticket
from caredesk.web import forms
from caredesk.web.permissions import requires


def panel_context(ticket: Ticket, *, form: ClarificationForm | None = None, message: str = "",
                  problem: str = "") -> dict:
    refusal = clarification_actions.refusal(ticket)
    return {
        "ticket": ticket, "survey": survey_queries.ticket_survey(ticket.pk),
        "clarifications": Clarification.objects.filter(ticket=ticket).select_related("agent", "sub_category"),
        "clarification_refusal": refusal, "clarification_form": None if refusal else (form or ClarificationForm()),
        "satisfaction_message": message, "satisfaction_problem": problem,
    }


def _panel(request, ticket: Ticket, status: int = 200, **context):
    return render(request, "web/partials/satisfaction.html", panel_context(ticket, **context), status=status)


@requires(roles.WORK_TICKETS)
def satisfaction_panel(request, pk: int):
    return _panel(request, get_object_or_404(Ticket, pk=pk))


@require_POST
@requires(roles.WORK_TICKETS)
def file_clarification(request, pk: int):
    ticket = get_object_or_404(Ticket, pk=pk)
    form = ClarificationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            clarification_actions.file_clarification(ticket, agent=request.user, category=data["category"],
                                                     sub_category=data["sub_category"], details=data["details"])
        except DomainError as error:
            forms.show_domain_error(form, error)
        else:
            return _panel(request, ticket, message="Clarification recorded.")
    return _panel(request, ticket, status=422, form=form)


@require_POST
@requires(roles.VIEW_REPORTS)
def finish_review(request, pk: int, review_id: int):
    ticket = get_object_or_404(Ticket, pk=pk)
    review = get_object_or_404(RatingReview, pk=review_id, survey__ticket=ticket)
    try:
        survey_actions.finish_review(review, agent=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        return _panel(request, ticket, status=422, problem=error.detail)
    return _panel(request, ticket, message="Review finished.")
