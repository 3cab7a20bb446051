"""Reports > Compliance: per playbook, agent and day, were the SOP's attempts made, and on time?

The figures come from caredesk.playbooks.report (the same report as the CLI and the API); this page only
filters and lays them out.
"""

from __future__ import annotations

from django.shortcuts import render

from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.live.queries import time_zone_of
from caredesk.playbooks import registry, report
from caredesk.web import forms
from caredesk.web.permissions import requires


@requires(roles.VIEW_REPORTS)
def compliance(request):
    playbooks = sorted(registry.in_force(), key=lambda playbook: playbook.title)
    agents = list(Agent.objects.filter(is_active=True).order_by("first_name", "username"))
    zone = time_zone_of(request.user)  # days start at the agent's midnight unless the filter says otherwise
    since, until = report.period(None, None, zone)
    initial = {"since": since, "until": until, "timezone": zone}
    data = None
    if request.GET:
        # A filter left out of the query keeps its default: the time zone select must not fall back to the
        # first zone of the list (Africa/Abidjan) when the form comes back with an error.
        data = request.GET.copy()
        if not data.get("timezone"):
            data["timezone"] = zone
    form = forms.ComplianceFilterForm(data, playbooks=playbooks, agents=agents, initial=initial)
    context = {"form": form, "rows": [], "total": None}
    if form.is_bound and not form.is_valid():
        return _render(request, context)
    filters = form.cleaned_data if form.is_bound else {}
    timezone = filters.get("timezone") or zone
    try:
        since, until = report.period(filters.get("since"), filters.get("until"), timezone,
                                     names=("The From date", "the To date"))
    except DomainError as error:
        forms.show_domain_error(form, error)
        return _render(request, context)
    rows = report.compliance(since, until, timezone=timezone, playbook=filters.get("playbook") or None,
                             agent=filters.get("agent") or None)
    titles = {playbook.name: playbook.title for playbook in registry.available_playbooks()}
    names = {agent.username: agent.display_name for agent in agents}
    for row in rows:
        row.playbook_title = titles.get(row.playbook, row.playbook)
        row.agent_name = names.get(row.agent, row.agent)
    return _render(request, {**context, "rows": rows, "since": since, "until": until, "timezone": timezone,
                             "total": report.ComplianceRow("", "", until, **report.totals(rows))})


def _render(request, context: dict):
    template = "web/partials/compliance_table.html" if request.htmx else "web/compliance.html"
    return render(request, template, context)
