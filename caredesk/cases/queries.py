"""The case queues (SOP 003) and the report of voided cases."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from caredesk.cases.models import CASE_VOIDED, Case
from caredesk.core import roles
from caredesk.core.models import Agent
from caredesk.tickets.models import Interaction

QUEUES = {
    "documentation_received": "Documentation received",
    "offered_to_me": "Cases offered to me",
    "all": "All cases",
    "unassigned": "Unassigned",
    "voided": "Voided",
}


# Who sees each queue (an Admin holds every role); "offered_to_me" is everyone's own.
QUEUE_ROLES = {
    "documentation_received": {roles.BACK_OFFICE, roles.RESOLUTION_LEAD},
    "all": {roles.RESOLUTION_LEAD}, "unassigned": {roles.RESOLUTION_LEAD}, "voided": {roles.RESOLUTION_LEAD},
}


def queues_of(agent: Agent) -> list[str]:
    """The queues `agent` may open, in QUEUES' order."""
    held = agent.role_names
    return [name for name in QUEUES if name not in QUEUE_ROLES or QUEUE_ROLES[name] & held]


def cases() -> QuerySet[Case]:
    return Case.objects.select_related("ticket", "primary_reason", "owner", "assignee", "recording")


def documentation_received() -> QuerySet[Case]:
    """Cases waiting on documentation whose homeowner has written on the ticket since the request: Back Office
    reads the thread and attaches the documents."""
    reply = Interaction.objects.filter(ticket=OuterRef("ticket"), direction=Interaction.Direction.INBOUND,
                                       kind=Interaction.Kind.MESSAGE,
                                       occurred_at__gte=OuterRef("documentation_requested_at"))
    return cases().filter(Exists(reply), status=Case.Status.WAITING_ON_DOCUMENTATION).order_by("created_at", "id")


def queue(name: str, agent: Agent) -> QuerySet[Case]:
    """One queue by its name in QUEUES (the caller checks the agent may see it)."""
    if name == "documentation_received":
        return documentation_received()
    if name == "offered_to_me":
        return cases().filter(assignee=agent, status=Case.Status.ASSIGNED, assignment=Case.Assignment.OFFERED)
    if name == "unassigned":
        return cases().filter(status=Case.Status.OPEN)
    if name == "voided":
        return cases().filter(closed_reason=CASE_VOIDED)
    return cases()


def voided_by_reason() -> list[dict]:
    """How many cases were closed "Case Voided", by the assignment's outcome and the reason given."""
    rows = (Case.objects.filter(closed_reason=CASE_VOIDED).values("assignment", "assignment_reason")
            .annotate(count=Count("id")).order_by("-count", "assignment", "assignment_reason"))
    return [{"outcome": row["assignment"], "reason": row["assignment_reason"], "count": row["count"]}
            for row in rows]
