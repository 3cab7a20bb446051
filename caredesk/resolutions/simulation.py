"""The simulator's agent records a resolution before solving a ticket, as the team's rule asks of every agent:
the first root cause and resolution code offered on the ticket's type, and a summary saying it was simulated."""

from __future__ import annotations

from caredesk.core.audit import Actor
from caredesk.playbooks import simulate
from caredesk.resolutions import actions
from caredesk.resolutions.models import ResolutionCode, RootCause
from caredesk.resolutions.queries import entries_for, rule_for
from caredesk.tickets.models import Ticket

SUMMARY = "Solved by the agent of a simulated scenario."


def prepare_solve(ticket: Ticket, actor: Actor) -> None:
    required = rule_for(ticket).required_fields
    root_cause = entries_for(RootCause, ticket.ticket_type_id).first()
    code = entries_for(ResolutionCode, ticket.ticket_type_id).first() if "resolution_code" in required else None
    actions.solve(ticket, actor=actor, solve=False, resolution=actions.NewResolution(
        root_cause=root_cause.key if root_cause else "", resolution_code=code.key if code else "", summary=SUMMARY,
        knowledge_base_reference="simulation" if "reference" in required else ""))


def register() -> None:
    simulate.register_solve_preparation(prepare_solve)
