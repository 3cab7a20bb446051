"""SLA clocks in `caredesk simulate` scenarios: the agent's public reply, the priority set from impact and
urgency or overridden, and the clocks' due times, swept as the worker would.

    - at: day 1 10:00
      reply: We are looking into it.           # the scenario's agent replies to the customer by email
    - at: day 2 09:00
      priority: {impact: whole_business, urgency: blocks_work}
    - at: day 2 10:00
      priority: {override: urgent, reason: The customer's launch is today}

The clocks' events (started, paused, fulfilled, breached, warned...) appear in each day's `sla:` summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Min

from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.playbooks import scenario, simulate
from caredesk.sla import actions
from caredesk.sla.models import Impact, TicketSla, Urgency
from caredesk.tickets import use_cases
from caredesk.tickets.models import Priority


@dataclass(frozen=True)
class AgentReplies:
    body: str


@dataclass(frozen=True)
class AgentSetsPriority:
    impact: str = ""
    urgency: str = ""
    override: str = ""
    reason: str = ""


def _parse_reply(reader, node, path: str) -> AgentReplies:
    return AgentReplies(reader.text(node, path))


def _parse_priority(reader, node, path: str) -> AgentSetsPriority:
    fields = reader.mapping(node, path, optional=("impact", "urgency", "override", "reason"))
    values = {name: reader.text(value, f"{path}.{name}") for name, value in fields.items()}
    if "override" in values:
        reader.choice(fields["override"], f"{path}.override", tuple(member.label for member in Priority))
        if "reason" not in values:
            reader.fail(node, path, "a reason with the override", "none")
    elif not ("impact" in values and "urgency" in values):
        reader.fail(node, path, "impact and urgency (keys), or override and reason", ", ".join(values) or "nothing")
    return AgentSetsPriority(**values)


def _apply_reply(action: AgentReplies, ticket, agent, team) -> None:
    use_cases.reply(ticket, actor=Actor.of_agent(agent), body=action.body)


def _apply_priority(action: AgentSetsPriority, ticket, agent, team) -> None:
    actor = Actor.of_agent(agent)
    if action.override:
        actions.override_priority(ticket, actor=actor, priority_value=Priority.from_name(action.override).value,
                                  reason=action.reason)
        return
    actions.assess_priority(ticket, actor=actor, impact=_key(Impact, action.impact, "impact"),
                            urgency=_key(Urgency, action.urgency, "urgency"))


def _key(model, key: str, field: str) -> int:
    found = model.objects.filter(key=key).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(f"there is no {model._meta.verbose_name} {key!r}", field=field)
    return found


def _next_due(ticket_ids, until):
    return TicketSla.objects.filter(ticket_id__in=ticket_ids, next_due_at__lte=until).aggregate(
        first=Min("next_due_at"))["first"]


def register() -> None:
    scenario.register_event("reply", _parse_reply)
    scenario.register_event("priority", _parse_priority)
    simulate.register_event_applier(AgentReplies, _apply_reply)
    simulate.register_event_applier(AgentSetsPriority, _apply_priority)
    simulate.register_clock(_next_due, actions.sweep_due)
