"""My work: the signed-in agent's follow-up tasks due now, open tickets and tickets waiting on the customer."""

from __future__ import annotations

from django.shortcuts import render

from caredesk.core import clock, roles
from caredesk.sla import queries as sla_queries
from caredesk.tickets import lifecycle
from caredesk.tickets.models import Ticket
from caredesk.web import queries
from caredesk.web.permissions import requires
from caredesk.web.views.escalation import my_escalations_context

LIST_LIMIT = 25


@requires(roles.WORK_TICKETS)
def home(request):
    agent = request.user
    mine = Ticket.objects.filter(assignee=agent)
    open_filter = {"status__in": [lifecycle.NEW, lifecycle.OPEN, lifecycle.ON_HOLD]}
    waiting_filter = {"status": lifecycle.PENDING}
    (open_count, open_capped), (waiting_count, waiting_capped) = queries.capped_counts(
        [mine.filter(**open_filter), mine.filter(**waiting_filter)]
    )
    display = queries.ticket_queries.tickets_for_display().filter(assignee=agent)
    open_tickets = list(display.filter(**open_filter).order_by("-priority", "updated_at", "-id")[:LIST_LIMIT])
    waiting = list(display.filter(**waiting_filter).order_by("updated_at", "id")[:LIST_LIMIT])
    tasks = queries.due_follow_up_tasks(agent)
    now = clock.now()
    for task in tasks:
        task.overdue_now = task.is_overdue(now)
    return render(request, "web/home.html", {
        "open_tickets": open_tickets, "open_count": open_count, "open_capped": open_capped,
        "waiting": waiting, "waiting_count": waiting_count, "waiting_capped": waiting_capped,
        "tasks": tasks, "list_limit": LIST_LIMIT,
        "breaching_soon": sla_queries.breaching_soon(agent), "sla_soon_hours": int(sla_queries.SOON.total_seconds() // 3600),
        **my_escalations_context(agent),
    })
