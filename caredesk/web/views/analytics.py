"""Reports: charts with their tables, over a date range, the team's time zone, group, agent, category, channel
and priority. Team Supervisors and Resolution Leads see everyone's figures; an agent sees their own. Each
chart's CSV and its JSON come from the API (caredesk/api/analytics.py), which computes the same figures."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render

from caredesk.analytics import business, reports
from caredesk.analytics.forms import ReportFilterForm
from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.web import forms
from caredesk.web.permissions import requires

SECTIONS = [
    ("Volume", ["volume", "backlog", "one_touch"]),
    ("Response and resolution", ["response_times"]),
    ("Satisfaction", ["csat_by_agent", "csat_by_group", "csat_comments", "rating_reviews", "nps", "nps_by_agent",
                      "nps_by_group", "nps_detractors"]),
    ("Recurring issues", ["categories", "tags", "root_causes", "resolution_codes", "customers"]),
    ("Care clarifications", ["clarifications"]),
]


@requires(roles.WORK_TICKETS)
def reports_page(request):
    everyone = request.user.can(roles.VIEW_REPORTS)
    default = reports.filters()
    form = ReportFilterForm(request.GET or None, all_agents=everyone,
                            initial={"since": default.since, "until": default.until, "timezone": default.timezone})
    context = {"form": form, "sections": [], "everyone": everyone, "business_hours": business.describe()}
    if form.is_bound and not form.is_valid():
        return render(request, "web/reports.html", context, status=422)
    given = {key: value for key, value in (form.cleaned_data if form.is_bound else {}).items() if value not in ("",)}
    if not everyone:
        given["agent"] = request.user.pk
    try:
        chosen = reports.filters(**given)
    except DomainError as error:
        forms.show_domain_error(form, error)
        return render(request, "web/reports.html", context, status=422)
    query = urlencode(chosen.as_query())
    sections = [(title, [reports.report(key, chosen) for key in keys]) for title, keys in SECTIONS]
    return render(request, "web/reports.html", {**context, "sections": sections, "chosen": chosen, "query": query})
