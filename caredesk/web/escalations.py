"""What the ticket page's Escalation panel shows to the signed-in agent."""

from __future__ import annotations

from caredesk.escalations.describe import describe, with_details
from caredesk.escalations.models import Escalation


def escalation_context(ticket, *, agent, problem: str = "") -> dict:
    latest = with_details().filter(ticket=ticket).order_by("-requested_at", "-id").first()
    described = describe(latest) if latest is not None else None
    return {
        "ticket": ticket, "escalation": described, "escalation_problem": problem,
        "cases": list(ticket.cases.select_related("primary_reason", "assignee")) if latest is not None else [],
        "can_request": latest is None or not latest.in_progress,
        "is_ringing_me": bool(described and agent.username in described["ringing"]),
        "answered_by_me": bool(described and described["answered_by"] == agent.username
                               and described["status"] == Escalation.Status.DISCUSSING),
        "can_call_back": bool(described and described["status"] == Escalation.Status.VOICEMAIL
                              and described["callback_role"] in agent.role_names),
    }
