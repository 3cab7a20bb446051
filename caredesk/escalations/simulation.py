"""Escalations in `caredesk simulate` scenarios: the events an agent records, and the ladder's clock.

    - at: day 1 10:00
      escalation: requested            # or agreed_to_wait, refused_to_wait (the scenario's agent records it)
    - at: +10s
      transfer: {answer: sam}          # or {decline: sam}, {accept: sam}: a rung agent from `agents:`
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Min

from caredesk.core.errors import DomainError
from caredesk.escalations import actions
from caredesk.escalations.models import Escalation
from caredesk.playbooks import scenario, simulate

ESCALATION_STEPS = ("requested", "agreed_to_wait", "refused_to_wait")
TRANSFER_STEPS = ("answer", "decline", "accept")


@dataclass(frozen=True)
class AgentEscalates:
    """The working agent records that the customer asked to be escalated, or the customer's choice."""

    step: str


@dataclass(frozen=True)
class AgentTakesTransfer:
    """An agent the ladder rings answers, or the agent who answered declines or accepts."""

    step: str
    username: str


def _parse_escalation(reader, node, path: str) -> AgentEscalates:
    return AgentEscalates(reader.choice(node, path, ESCALATION_STEPS))


def _parse_transfer(reader, node, path: str) -> AgentTakesTransfer:
    fields = reader.mapping(node, path, optional=TRANSFER_STEPS)
    if len(fields) != 1:
        reader.fail(node, path, f"exactly one of {', '.join(TRANSFER_STEPS)} with an agent's username",
                    f"{len(fields)} of them")
    (step, value), = fields.items()
    return AgentTakesTransfer(step, reader.text(value, f"{path}.{step}"))


def _apply_escalation(action: AgentEscalates, ticket, agent, team) -> None:
    if action.step == "requested":
        actions.record_request(ticket, agent=agent, reason="The customer asked to speak with leadership.")
        return
    actions.record_choice(_latest(ticket), agent=agent, waits=action.step == "agreed_to_wait")


def _apply_transfer(action: AgentTakesTransfer, ticket, agent, team) -> None:
    if action.username not in team:
        raise DomainError(f"no agent {action.username!r} in the scenario's agents", field="transfer")
    step = {"answer": actions.answer, "decline": actions.decline, "accept": actions.accept}[action.step]
    step(_latest(ticket), agent=team[action.username])


def _latest(ticket):
    escalation = Escalation.objects.filter(ticket=ticket).order_by("-requested_at", "-id").first()
    if escalation is None:
        raise DomainError("the customer has not asked to be escalated on this ticket", field="escalation")
    return escalation


def _next_due(ticket_ids, until):
    return (Escalation.objects.filter(ticket_id__in=ticket_ids, status=Escalation.Status.RINGING,
                                      next_due_at__lte=until).aggregate(first=Min("next_due_at"))["first"])


def register() -> None:
    scenario.register_event("escalation", _parse_escalation)
    scenario.register_event("transfer", _parse_transfer)
    simulate.register_event_applier(AgentEscalates, _apply_escalation)
    simulate.register_event_applier(AgentTakesTransfer, _apply_transfer)
    simulate.register_clock(_next_due, actions.sweep_due)
