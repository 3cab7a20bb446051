"""The ticket page's SLA and priority panel (clocks with business time left and what pauses them; how the
priority was reached; impact and urgency; an override with its reason), My work's "breaching soon", and
Reports > SLA with its CSV export. Every change goes through caredesk.sla.actions."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.sla import actions, queries
from caredesk.sla.models import Impact, Urgency
from caredesk.tickets.models import Priority
from caredesk.web.forms import show_domain_error
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import load_ticket

CHANGED = json.dumps({"ticketChanged": {"source": "sla"}})


class AssessmentForm(forms.Form):
    impact = forms.ModelChoiceField(label="Impact", queryset=Impact.objects.filter(active=True))
    urgency = forms.ModelChoiceField(label="Urgency", queryset=Urgency.objects.filter(active=True))


class OverrideForm(forms.Form):
    priority = forms.TypedChoiceField(label="Priority", coerce=int,
                                      choices=[(p.value, p.label.capitalize()) for p in Priority])
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Say why you override the priority."})


class ReportForm(forms.Form):
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end comes after the start.")
        return data


def panel_context(ticket, *, assessment_form=None, override_form=None, message: str = "") -> dict:
    assessment = queries.priority_of(ticket)
    initial = {"impact": assessment.impact_id, "urgency": assessment.urgency_id} if assessment else {}
    return {
        "ticket": ticket, **queries.ticket_clocks(ticket), "assessment": assessment,
        "priority_reached": queries.how_priority_was_reached(ticket, assessment),
        "assessment_form": assessment_form or AssessmentForm(initial=initial, prefix="assessment"),
        "override_form": override_form or OverrideForm(initial={"priority": ticket.priority}, prefix="override"),
        "sla_message": message, "refresh_seconds": settings.SLA_PANEL_REFRESH_SECONDS,
    }


def _answer(request, ticket, context: dict, *, changed: bool):
    if not request.htmx:
        return redirect(reverse("web:ticket", args=[ticket.pk]) + "#sla")
    response = render(request, "web/partials/sla.html", context)
    if changed:
        response["HX-Trigger"] = CHANGED
    return response


@requires(roles.WORK_TICKETS)
def sla_panel(request, pk: int):
    return render(request, "web/partials/sla.html", panel_context(load_ticket(pk)))


def _submit(request, pk: int, form_class, prefix: str, change, done: str):
    """Validate the form, make the change through the action, answer with the panel (errors beside fields)."""
    ticket = load_ticket(pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            ticket = change(ticket, Actor.of_agent(request.user), form.cleaned_data)
            return _answer(request, ticket, panel_context(ticket, message=done), changed=True)
        except DomainError as error:
            show_domain_error(form, error)
    return _answer(request, ticket, panel_context(ticket, **{f"{prefix}_form": form}), changed=False)


@requires(roles.WORK_TICKETS)
@require_POST
def assess(request, pk: int):
    return _submit(request, pk, AssessmentForm, "assessment", lambda ticket, actor, data: actions.assess_priority(
        ticket, actor=actor, impact=data["impact"].pk, urgency=data["urgency"].pk), "Priority assessed.")


@requires(roles.WORK_TICKETS)
@require_POST
def override(request, pk: int):
    return _submit(request, pk, OverrideForm, "override", lambda ticket, actor, data: actions.override_priority(
        ticket, actor=actor, priority_value=data["priority"], reason=data["reason"]), "Priority overridden.")


@requires(roles.WORK_TICKETS)
@require_POST
def clear_override(request, pk: int):
    ticket = load_ticket(pk)
    try:
        ticket = actions.clear_override(ticket, actor=Actor.of_agent(request.user))
    except DomainError as error:
        return _answer(request, ticket, panel_context(ticket, message=str(error)), changed=False)
    return _answer(request, ticket, panel_context(ticket, message="Override cleared."), changed=True)


@requires(roles.VIEW_REPORTS)
def sla_report(request):
    today = clock.now().date()
    form = ReportForm(request.GET or None, initial={"since": today - timedelta(days=30), "until": today})
    rows = []
    if form.is_bound and form.is_valid():
        rows = queries.report(form.cleaned_data["since"], form.cleaned_data["until"])
    elif not form.is_bound:
        rows = queries.report(today - timedelta(days=30), today)
    if request.GET.get("format") == "csv" and (not form.is_bound or form.is_valid()):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sla-report.csv"'
        writer = csv.writer(response)
        writer.writerow(queries.REPORT_COLUMNS)
        for row in rows:
            writer.writerow([getattr(row, column) if getattr(row, column) is not None else ""
                             for column in queries.REPORT_COLUMNS])
        return response
    return render(request, "web/sla_report.html", {"form": form, "rows": rows, "section": "sla-report",
                                                   "csv_query": request.GET.urlencode()})
