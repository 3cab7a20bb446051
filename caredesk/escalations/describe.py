"""An escalation described for people: the API and the workspace both show one through `describe`."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from caredesk.core import clock
from caredesk.core.models import Agent
from caredesk.escalations.actions import rules_of
from caredesk.escalations.models import Escalation


def with_details() -> QuerySet[Escalation]:
    return (Escalation.objects.select_related("definition", "requested_by", "answered_by", "called_back_by", "ticket",
                                               "callback_task")
            .prefetch_related("ringing"))


def describe(escalation: Escalation, now: datetime | None = None) -> dict:
    """Its status, what the agent says before a transfer, the rung ringing (who, seconds left) or who answered,
    and the voicemail callback. Reads no rows when loaded with `with_details()`."""
    rules = rules_of(escalation)
    rung = rules.transfer[escalation.rung] if escalation.rung is not None and escalation.rung < len(rules.transfer) else None
    ringing = escalation.status == Escalation.Status.RINGING
    now = now or clock.now()
    seconds_left = None
    if ringing and escalation.next_due_at is not None:
        seconds_left = max(0, int((escalation.next_due_at - now).total_seconds()))
    task = escalation.callback_task if escalation.callback_task_id else None
    return {
        "id": escalation.pk, "ticket_id": escalation.ticket_id, "status": escalation.status,
        "status_label": escalation.get_status_display(), "reason": escalation.reason,
        "requested_by": escalation.requested_by.username, "requested_at": escalation.requested_at,
        "decided_at": escalation.decided_at, "say_before_transfer": rules.say_before_transfer,
        "rung": escalation.rung + 1 if rung is not None else None, "rung_title": rung.title if rung else None,
        "ringing": sorted(agent.username for agent in escalation.ringing.all()) if ringing else [],
        "answer_by": escalation.next_due_at if ringing else None, "seconds_left": seconds_left,
        "answered_by": escalation.answered_by.username if escalation.answered_by_id else None,
        "callback_role": escalation.callback_role or None, "callback_task": escalation.callback_title or None,
        "callback_task_id": task.pk if task else None, "callback_due_at": task.due_at if task else None,
        "callback_overdue_at": task.overdue_at if task else None,
        "callback_overdue": bool(task and task.is_overdue(now)),
        "voicemail_interaction_id": escalation.voicemail_id,
        "called_back_by": escalation.called_back_by.username if escalation.called_back_by_id else None,
        "called_back_at": escalation.called_back_at,
    }


def for_agent(agent: Agent) -> QuerySet[Escalation]:
    """What an agent must act on: transfers ringing them or answered by them, and voicemail callbacks for
    one of their roles."""
    mine = Q(status=Escalation.Status.RINGING, ringing=agent) | Q(status=Escalation.Status.DISCUSSING, answered_by=agent)
    mine |= Q(status=Escalation.Status.VOICEMAIL, callback_role__in=sorted(agent.role_names))
    return with_details().filter(mine).distinct().order_by("requested_at", "id")
