"""Solving with a resolution, confirming it with the customer, feedback for other teams (SOP 004); the teams'
feedback lists and the resolutions report with its CSV export.

Every change goes through caredesk.resolutions.actions. A POST redirects to the ticket; a refused one shows the
ticket page again with the message beside the field."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.resolutions import actions, export, queries
from caredesk.resolutions.models import FeedbackTeam, Resolution, RootCause
from caredesk.web import forms as web_forms
from caredesk.web.permissions import requires
from caredesk.web.resolutions import (FIELD_MAP, ConfirmationForm, FeedbackForm, SolveForm, feedback_context,
                                      resolution_context)
from caredesk.web.views.ticket import load_ticket, ticket_context

FEEDBACK_WEEKS = 8
REPORT_ROWS = 200


def _done(request, ticket, message: str, anchor: str):
    messages.success(request, message)
    return redirect(reverse("web:ticket", args=[ticket.pk]) + anchor)


def _refused(request, ticket, *, feedback_form=None, **bound):
    """The ticket page again, with the Resolution and Feedback panels in it (the refused form among them)."""
    return render(request, "web/ticket.html", {**ticket_context(request, ticket), **resolution_context(ticket, **bound),
                                               **feedback_context(ticket, feedback_form=feedback_form)}, status=422)


@requires(roles.WORK_TICKETS)
def resolution_panel(request, pk: int):
    """The Resolution panel, which the ticket page loads after itself."""
    return render(request, "web/partials/resolution.html", resolution_context(load_ticket(pk)))


@requires(roles.WORK_TICKETS)
def feedback_panel(request, pk: int):
    """The Feedback panel, which the ticket page loads after itself."""
    return render(request, "web/partials/feedback_panel.html", feedback_context(load_ticket(pk)))


def _act(request, ticket, form, bound: str, write, message: str, anchor: str, field_map=None):
    """Run `write(cleaned_data)` when the form is valid; a refusal shows the ticket page with the message beside
    its field (`bound` names the panel's form)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except DomainError as error:
            web_forms.show_domain_error(form, error, field_map)
        else:
            return _done(request, ticket, message, anchor)
    return _refused(request, ticket, **{bound: form})


@requires(roles.WORK_TICKETS)
@require_POST
def solve(request, pk: int):
    ticket = load_ticket(pk)

    def write(data):
        actions.solve(ticket, actor=Actor.of_agent(request.user), resolution=actions.NewResolution(
            root_cause=data["root_cause"], resolution_code=data["resolution_code"], summary=data["summary"],
            article=data["article"], knowledge_base_reference=data["knowledge_base_reference"],
            linked_ticket=data["linked_ticket"],
            confirmation=data.get("confirmation", ""), confirmed_by=data.get("confirmed_by", "")))

    return _act(request, ticket, SolveForm(request.POST, ticket=ticket), "solve_form", write,
                "Solved, with its resolution.", "#resolution", FIELD_MAP)


@requires(roles.WORK_TICKETS)
@require_POST
def record_confirmation(request, pk: int):
    ticket = load_ticket(pk)

    def write(data):
        actions.record_confirmation(ticket, actor=Actor.of_agent(request.user), confirmed_by=data["confirmed_by"],
                                    note=data["note"])

    return _act(request, ticket, ConfirmationForm(request.POST), "confirmation_form", write,
                "The customer's confirmation is recorded.", "#resolution")


@requires(roles.WORK_TICKETS)
@require_POST
def send_confirmation(request, pk: int):
    ticket = load_ticket(pk)
    try:
        actions.send_confirmation(ticket, actor=Actor.of_agent(request.user))
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(reverse("web:ticket", args=[ticket.pk]) + "#resolution")
    return _done(request, ticket, "Confirmation message sent.", "#resolution")


@requires(roles.WORK_TICKETS)
@require_POST
def share_feedback(request, pk: int):
    ticket = load_ticket(pk)

    def write(data):
        actions.share_feedback(ticket, actor=Actor.of_agent(request.user), team=data["team"], note=data["note"],
                               body="" if data["note"] else data["body"])

    return _act(request, ticket, FeedbackForm(request.POST, ticket=ticket), "feedback_form", write,
                "Feedback shared.", "#feedback")


@requires(roles.WORK_TICKETS)
def feedback_teams(request):
    team = FeedbackTeam.objects.filter(active=True).first()
    if team is None:
        raise Http404("No feedback team is configured.")
    return redirect("web:team-feedback", key=team.key)


@requires(roles.WORK_TICKETS)
def team_feedback(request, key: str):
    team = FeedbackTeam.objects.filter(key=key).first()
    if team is None:
        raise Http404(f"No feedback team {key!r}.")
    return render(request, "web/feedback.html", {
        "team": team, "teams": FeedbackTeam.objects.filter(active=True), "feedback": queries.team_feedback(team),
        "weekly": queries.weekly_counts(team, since=queries.weeks_ago(FEEDBACK_WEEKS)), "weeks": FEEDBACK_WEEKS,
    })


class ReportForm(forms.Form):
    q = forms.CharField(label="Summary, reference or article contains", required=False, max_length=200)
    root_cause = forms.ChoiceField(label="Root cause", required=False)
    confirmation = forms.ChoiceField(label="Confirmation", required=False,
                                     choices=[("", "Any"), *Resolution.Confirmation.choices])
    since = forms.DateField(label="Export from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Export until (excluded)", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].choices = [("", "Any"), *RootCause.objects.values_list("key", "name")]


@requires(roles.WORK_TICKETS)
def resolutions_report(request):
    form = ReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = queries.search_resolutions(text=data.get("q", ""), root_cause=data.get("root_cause", ""),
                                      confirmation=data.get("confirmation", ""))
    return render(request, "web/resolutions.html", {"form": form, "resolutions": list(rows[:REPORT_ROWS]),
                                                    "can_export": request.user.can(roles.VIEW_REPORTS)})


@requires(roles.VIEW_REPORTS)
def resolutions_export(request):
    form = ReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return export.csv_response(since=data.get("since"), until=data.get("until"))
