"""SLA clocks in `caredesk simulate` scenarios: the agent's public reply, the priority set from impact and
urgency or overridden, the ticket moved to a group with its members, and the clocks' due times, swept as the
worker would.

    - at: day 1 10:00
      reply: We are looking into it.           # the scenario's agent replies to the customer by email
    - at: day 2 09:00
      priority: {impact: whole_business, urgency: blocks_work}
    - at: day 2 10:00
      priority: {override: urgent, reason: The customer's launch is today}
    - at: day 1 09:05
      group: {key: general_support, members: [sam, lee]}  # the ticket moves to a group with these members

The clocks' events (started, paused, fulfilled, breached, warned...) appear in each day's `sla:` summary; a
warning names whom it told (the assignee, and the group with its members told).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Min

from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.desk import actions as desk_actions
from caredesk.playbooks import scenario, simulate, timeline
from caredesk.sla import actions
from caredesk.sla.models import Impact, SlaEvent, TicketSla, Urgency
from caredesk.tickets import use_cases
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Group, Priority


@dataclass(frozen=True)
class AgentReplies:
    body: str


@dataclass(frozen=True)
class AgentSetsGroup:
    """The ticket moves to a group; the group's members are these agents (of the scenario's team, or its agent)."""

    key: str
    members: tuple[str, ...] = ()


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


def _parse_group(reader, node, path: str) -> AgentSetsGroup:
    fields = reader.mapping(node, path, required=("key",), optional=("members",))
    return AgentSetsGroup(reader.text(fields["key"], f"{path}.key"),
                          reader.texts(fields["members"], f"{path}.members") if "members" in fields else ())


def _apply_group(action: AgentSetsGroup, ticket, agent, team) -> None:
    actor = Actor.of_agent(agent)
    group = Group.objects.filter(key=action.key, active=True).first()
    if group is None:
        raise DomainError(f"there is no active group {action.key!r}", field="group")
    known = {agent.get_username(): agent, **team}
    unknown = [username for username in action.members if username not in known]
    if unknown:
        raise DomainError(f"{', '.join(unknown)} is not an agent of the scenario (agents: or the ticket's "
                          f"assignee)", field="members")
    desk_actions.set_group_members(group, actor=actor, agents=[known[username] for username in action.members])
    ticket_actions.update_ticket(ticket, actor=actor, group=group)


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
    scenario.register_event("group", _parse_group)
    simulate.register_event_applier(AgentReplies, _apply_reply)
    simulate.register_event_applier(AgentSetsPriority, _apply_priority)
    simulate.register_event_applier(AgentSetsGroup, _apply_group)
    simulate.register_clock(_next_due, actions.sweep_due)
    timeline.EXTRA_EVENT_LOGS.append(
        lambda ticket_ids: list(SlaEvent.objects.filter(ticket_id__in=ticket_ids).order_by("at", "id")))
