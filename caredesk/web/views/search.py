"""Search: one box over ticket numbers, subjects, bodies, customers, contact points, orders and cases
(caredesk.search), with filters, highlighted snippets and a "more" link per page."""

from __future__ import annotations

from django.shortcuts import redirect, render

from caredesk.core import roles
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import Agent
from caredesk.search import filters as search_filters
from caredesk.search import queries
from caredesk.tickets.models import Group, Status, TicketType
from caredesk.web.permissions import requires


@requires(roles.WORK_TICKETS)
def search(request):
    text = request.GET.get("q", "")
    chosen = {name: request.GET.get(name, "") for name in ("group", "assignee", "type", "since", "until")}
    statuses = request.GET.getlist("status")
    error, page = None, queries.Page(query=text.strip())
    try:
        filters = search_filters.build(
            agent=request.user, status=statuses, group=chosen["group"], assignee=chosen["assignee"],
            ticket_type=chosen["type"], since=search_filters.day(chosen["since"], "since"),
            until=search_filters.day(chosen["until"], "until"))
        page = queries.search(text, agent=request.user, filters=filters, cursor=request.GET.get("cursor") or None)
    except ValidationFailed as failure:
        error = failure
    if page.exact_ticket is not None and page.query.startswith("#"):
        return redirect("web:ticket", pk=page.exact_ticket)
    more = request.GET.copy()
    if page.next_cursor:
        more["cursor"] = page.next_cursor
    return render(request, "web/search.html", {
        "page": page, "q": page.query, "error": error, "chosen": chosen, "statuses": statuses,
        "notice": queries.index_notice(),
        "more": more.urlencode() if page.next_cursor else "", "status_choices": Status.choices,
        "groups": Group.objects.filter(active=True), "types": TicketType.objects.filter(active=True),
        "agents": Agent.objects.filter(is_active=True).order_by("username"),
    })
