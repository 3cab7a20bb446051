"""What the ticket page's Escalation panel shows to the signed-in agent."""

from __future__ import annotations

from django.conf import settings

from caredesk.core import events
from caredesk.escalations.describe import describe, with_details
from caredesk.escalations.models import Escalation
from caredesk.knowledge import queries as knowledge_queries
from caredesk.knowledge.models import Article
from caredesk.tickets.models import TicketEvent


def case_summaries(ticket) -> list[tuple]:
    """The ticket's cases, each with the sentence of its latest change: what to tell a customer who calls
    again (SOP 003 step 2: has the case been updated?)."""
    cases = list(ticket.cases.select_related("primary_reason", "assignee"))
    latest = {}
    for event in TicketEvent.objects.filter(ticket=ticket, action__startswith="case.").order_by("at", "id"):
        latest[(event.after or {}).get("case")] = event
    changes = [latest.get(case.pk) for case in cases]
    sentences = iter(events.describe_all([change for change in changes if change is not None]))
    return [(case, change, next(sentences) if change is not None else None) for case, change in zip(cases, changes)]


def escalation_context(ticket, *, agent, problem: str = "", live_call: str = "") -> dict:
    """`live_call`: the customer's live call at the phone provider when the workspace knows it (a softphone
    opens the ticket page with ?call=CA...); the refuse-to-wait form carries it so the ladder transfers it."""
    latest = with_details().filter(ticket=ticket).order_by("-requested_at", "-id").first()
    described = describe(latest) if latest is not None else None
    return {
        "ticket": ticket, "escalation": described, "escalation_problem": problem,
        "live_call_sid": "".join(char for char in live_call if char.isalnum())[:64],
        "transfers_live_calls": settings.TRANSFER_PROVIDER != "console",
        "cases": case_summaries(ticket) if latest is not None else [],
        "can_request": latest is None or not latest.in_progress,
        "is_ringing_me": bool(described and agent.username in described["ringing"]),
        "answered_by_me": bool(described and described["answered_by"] == agent.username
                               and described["status"] == Escalation.Status.DISCUSSING),
        "can_call_back": bool(described and described["status"] == Escalation.Status.VOICEMAIL
                              and described["callback_role"] in agent.role_names),
        "escalation_guides": knowledge_queries.guides(Article.Guide.DEESCALATION, Article.Guide.ESCALATION),
    }
