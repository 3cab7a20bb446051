"""The only writers of macros, canned responses, group membership and round robins (each change with its
DeskEvent), and the agent's moves over tickets that combine several apps: a macro applied, a bulk change, a
merge, a round-robin assignment. Ticket changes go through `tickets.actions.ticket_changes`, each ticket audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from django.db import transaction

from caredesk.core import audit, clock
from caredesk.core.audit import Actor
from caredesk.core.changes import apply_changes, audit_value
from caredesk.core.errors import DomainError, ValidationFailed
from caredesk.core.models import Agent
from caredesk.desk.models import DeskEvent, GroupMembership, Macro, RoundRobin
from caredesk.playbooks import actions as playbook_actions
from caredesk.resolutions import actions as resolution_actions
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import lifecycle
from caredesk.tickets.actions import TicketChange, normalize_tags, ticket_changes
from caredesk.tickets.models import COMPOSER_TABS, CannedResponse, Channel, Group, Interaction, Priority, Ticket

MAX_BULK = 100  # tickets in one bulk change: a page of a view
ROUND_ROBIN = Actor.system("round robin")

# --- the responses library: canned responses and macros ----------------------------------------------------


def _canned_audit(response: CannedResponse) -> dict:
    return {"name": response.name, "tabs": list(response.tabs), "body": response.body,
            "fields": list(response.fields), "active": response.active}


def _clean_name(name: str, model, current=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give it a name.", field="name")
    if len(name) > 100:
        raise ValidationFailed("A name has at most 100 characters.", field="name")
    if model.objects.filter(name__iexact=name).exclude(pk=getattr(current, "pk", None)).exists():
        raise ValidationFailed(f"{name} is taken; choose another name.", field="name")
    return name


def _clean_canned(values: dict, current: CannedResponse | None) -> dict:
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = _clean_name(cleaned["name"], CannedResponse, current)
    if "tabs" in cleaned:
        tabs = [tab for tab in COMPOSER_TABS if tab in set(cleaned["tabs"] or ())]
        unknown = sorted(set(cleaned["tabs"] or ()) - set(COMPOSER_TABS))
        if unknown:
            raise ValidationFailed(f"Unknown composer tab {unknown[0]!r}; tabs are {', '.join(COMPOSER_TABS)}.",
                                   field="tabs")
        if not tabs:
            raise ValidationFailed("Choose at least one composer tab it is offered in.", field="tabs")
        cleaned["tabs"] = tabs
    if "body" in cleaned and not (cleaned["body"] or "").strip():
        raise ValidationFailed("A canned response needs its text.", field="body")
    if "fields" in cleaned:
        cleaned["fields"] = [line.strip()[:100] for line in cleaned["fields"] or () if line and line.strip()]
    return cleaned


def _record(actor: Actor, action: str, field_name: str, *, before=None, after=None, **links) -> None:
    audit.write(DeskEvent.build(actor, action, field=field_name, before=before, after=after, **links))


@transaction.atomic
def create_canned_response(*, actor: Actor, name: str, body: str, tabs: Iterable[str] = COMPOSER_TABS,
                           fields: Iterable[str] = (), active: bool = True) -> CannedResponse:
    values = _clean_canned({"name": name, "body": body, "tabs": list(tabs), "fields": list(fields)}, None)
    response = CannedResponse.objects.create(active=active, **values)
    _record(actor, "canned_response.created", "canned_response", after=_canned_audit(response),
            canned_response=response)
    return response


@transaction.atomic
def update_canned_response(response: CannedResponse, *, actor: Actor, **changes: Any) -> CannedResponse:
    """Change any of name, tabs, body, fields, active; nothing changed writes nothing."""
    unknown = set(changes) - {"name", "tabs", "body", "fields", "active"}
    if unknown:
        raise ValidationFailed(f"{sorted(unknown)[0]} cannot be changed here.", field=sorted(unknown)[0])
    response = CannedResponse.objects.select_for_update().get(pk=response.pk)
    before = _canned_audit(response)
    if apply_changes(response, _clean_canned(changes, response)):
        response.save()
        _record(actor, "canned_response.changed", "canned_response", before=before, after=_canned_audit(response),
                canned_response=response)
    return response


MACRO_FIELDS = ("name", "tab", "body", "status", "priority", "ticket_type", "category", "group", "assignee",
                "add_tags", "active")


def _macro_audit(macro: Macro) -> dict:
    return {name: audit_value(getattr(macro, name)) for name in MACRO_FIELDS}


def _clean_macro(values: dict, current: Macro | None) -> dict:
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = _clean_name(cleaned["name"], Macro, current)
    if "tab" in cleaned and (cleaned["tab"] or "") not in Macro.Tab.values:
        raise ValidationFailed("Its text goes in a public reply, an internal note, or nowhere.", field="tab")
    if "status" in cleaned and cleaned["status"] and cleaned["status"] not in lifecycle.STATUSES:
        raise ValidationFailed(f"Unknown status {cleaned['status']!r}.", field="status")
    if "status" in cleaned and cleaned["status"] == lifecycle.NEW:
        raise ValidationFailed("A macro cannot set a ticket back to new.", field="status")
    if cleaned.get("priority") is not None:
        Priority.checked(cleaned["priority"])
    if "add_tags" in cleaned:
        cleaned["add_tags"] = normalize_tags(cleaned["add_tags"] or ())
    for name in ("ticket_type", "category", "group"):
        entry = cleaned.get(name)
        if entry is not None and not entry.active and getattr(current, f"{name}_id", None) != entry.pk:
            raise ValidationFailed(f"{entry} is retired.", field=name)
    assignee = cleaned.get("assignee")
    if assignee is not None and not assignee.is_active:
        raise ValidationFailed(f"Agent {assignee.username} is deactivated.", field="assignee")
    merged = {name: getattr(current, name, None) for name in MACRO_FIELDS} | cleaned
    if (merged.get("tab") or "") and not (merged.get("body") or "").strip():
        raise ValidationFailed("Write the text the macro adds, or choose no text.", field="body")
    if not (merged.get("tab") or "") and (merged.get("body") or "").strip():
        raise ValidationFailed("Choose where the text goes: a public reply or an internal note.", field="tab")
    does_something = (merged.get("tab") or merged.get("status") or merged.get("priority") is not None
                      or any(merged.get(name) is not None for name in ("ticket_type", "category", "group",
                                                                        "assignee"))
                      or merged.get("add_tags"))
    if not does_something:
        raise ValidationFailed("A macro adds text or changes at least one field.", field="tab")
    return cleaned


@transaction.atomic
def create_macro(*, actor: Actor, name: str, **values: Any) -> Macro:
    unknown = set(values) - set(MACRO_FIELDS)
    if unknown:
        raise ValidationFailed(f"{sorted(unknown)[0]} is not a macro field.", field=sorted(unknown)[0])
    values = _clean_macro({"name": name, **values}, None)
    now = clock.now()
    macro = Macro.objects.create(created_at=now, updated_at=now, **values)
    _record(actor, "macro.created", "macro", after=_macro_audit(macro), macro=macro)
    return macro


@transaction.atomic
def update_macro(macro: Macro, *, actor: Actor, **changes: Any) -> Macro:
    unknown = set(changes) - set(MACRO_FIELDS)
    if unknown:
        raise ValidationFailed(f"{sorted(unknown)[0]} is not a macro field.", field=sorted(unknown)[0])
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    before = _macro_audit(macro)
    if apply_changes(macro, _clean_macro(changes, macro)):
        macro.updated_at = clock.now()
        macro.save()
        _record(actor, "macro.changed", "macro", before=before, after=_macro_audit(macro), macro=macro)
    return macro


# --- applying to tickets: macros, bulk changes ------------------------------------------------------------


@dataclass
class BulkResult:
    """What a change over several tickets did: the tickets changed, and why each other one was not."""

    changed: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


UNCHANGED = object()


def _stage_macro(change: TicketChange, macro: Macro) -> None:
    change.record("macro.applied", field="macro", after={"macro": macro.pk, "name": macro.name})
    if macro.tab == Macro.Tab.REPLY:
        change.interaction(channel=Channel.EMAIL, direction=Interaction.Direction.OUTBOUND,
                           kind=Interaction.Kind.MESSAGE, body=macro.body)
    elif macro.tab == Macro.Tab.NOTE:
        change.note(macro.body)
    fields: dict[str, Any] = {name: getattr(macro, name) for name in ("ticket_type", "category", "group", "assignee")
                              if getattr(macro, f"{name}_id") is not None}
    if macro.priority is not None:
        fields["priority"] = macro.priority
    if macro.status:
        fields["status"] = macro.status
    if fields:
        change.set(**fields)
    if macro.add_tags:
        _add_tags(change, macro.add_tags)


def _add_tags(change: TicketChange, names: list[str]) -> None:
    current = change.tags if change.tags is not None else list(change.ticket.tags.values_list("name", flat=True))
    change.set(tags=[*current, *[name for name in names if name not in current]])


def bulk_change(ticket_ids: Iterable[int], *, actor: Actor, assignee: Any = UNCHANGED, status: str = "",
                add_tags: Iterable[str] = (), macro: Macro | None = None) -> BulkResult:
    """The same changes to each ticket (assignee, status, tags added, a macro), in one unit of work: each
    ticket gets its own audit events and signals; a ticket whose changes are refused (closed, a status its
    lifecycle forbids) is left as it was and reported with the reason, the others are changed."""
    ids = list(dict.fromkeys(int(pk) for pk in ticket_ids))
    if not ids:
        raise ValidationFailed("Select at least one ticket.", field="tickets")
    if len(ids) > MAX_BULK:
        raise ValidationFailed(f"Change at most {MAX_BULK} tickets at once.", field="tickets")
    tags = normalize_tags(add_tags)
    if assignee is UNCHANGED and not status and not tags and macro is None:
        raise ValidationFailed("Choose what to change: an assignee, a status, tags or a macro.", field="tickets")
    existing = set(Ticket.objects.filter(pk__in=ids).values_list("pk", flat=True))
    result = BulkResult(refused={pk: f"There is no ticket #{pk}." for pk in ids if pk not in existing})
    with ticket_changes([pk for pk in ids if pk in existing], actor) as batch:
        for pk in ids:
            if pk not in existing:
                continue
            try:
                with batch.changing(pk) as change:
                    if macro is not None:
                        _stage_macro(change, macro)
                    fields = {} if assignee is UNCHANGED else {"assignee": assignee}
                    if status:
                        fields["status"] = status
                    if fields:
                        change.set(**fields)
                    if tags:
                        _add_tags(change, tags)
            except DomainError as error:
                result.refused[pk] = error.detail
            else:
                result.changed.append(pk)
    return result


def apply_macro(ticket: Ticket, macro: Macro, *, actor: Actor) -> Ticket:
    """A macro on one ticket: its text and field changes together, or nothing (the refusal is raised)."""
    if not macro.active:
        raise ValidationFailed(f"The macro {macro} is retired.", field="macro")
    with ticket_changes([ticket.pk], actor) as batch, batch.changing(ticket.pk) as change:
        _stage_macro(change, macro)
    return batch.ticket(ticket.pk)


def assign_to_me(ticket: Ticket, *, agent) -> Ticket:
    return ticket_actions.update_ticket(ticket, actor=Actor.of_agent(agent), assignee=agent)


# --- merging ------------------------------------------------------------------------------------------------


@transaction.atomic
def merge(source: Ticket, target: Ticket, *, actor: Actor) -> Ticket:
    """Merge the duplicate `source` into `target`: interactions, documents and follow-ups move, both tickets
    record it, and `source` is closed with a note pointing at `target`."""
    if source.pk == target.pk:
        raise ValidationFailed("A ticket cannot be merged into itself.", field="target")
    moved = playbook_actions.move_follow_ups(source, target, actor=actor)
    if source.status in lifecycle.ACTIVE_STATUSES:  # the duplicate is closed: its resolution says why (SOP 004)
        resolution_actions.solve(source, actor=actor, solve=False, resolution=resolution_actions.NewResolution(
            root_cause="duplicate_request", resolution_code="duplicate", summary=f"Merged into #{target.pk}."))
    return ticket_actions.merge_tickets(source, target, actor=actor, follow_ups=moved)


# --- round robin ----------------------------------------------------------------------------------------------


def next_in_turn(agent_ids: list[int], last_id: int | None) -> int | None:
    """The agent after `last_id` in id order, wrapping around; the first one when none was assigned yet."""
    ordered = sorted(agent_ids)
    if not ordered:
        return None
    later = [pk for pk in ordered if last_id is not None and pk > last_id]
    return later[0] if later else ordered[0]


# --- group membership ----------------------------------------------------------------------------------------


@transaction.atomic
def set_group_members(group: Group, *, actor: Actor, agents: Iterable[Agent]) -> list[Agent]:
    """Make `agents` the group's members (an agent belongs to zero or more groups): those missing join, the others
    leave, in one audited change. A deactivated agent cannot join. Returns the members, by username."""
    chosen = {agent.pk: agent for agent in agents}
    inactive = sorted(agent.get_username() for agent in chosen.values() if not agent.is_active)
    if inactive:
        raise ValidationFailed(f"{', '.join(inactive)} {'is' if len(inactive) == 1 else 'are'} deactivated and "
                               f"cannot join a group.", field="members")
    Group.objects.select_for_update().filter(pk=group.pk).first()  # one change of a group's members at a time
    current = dict(GroupMembership.objects.filter(group=group).values_list("agent_id", "agent__username"))
    added = [agent for pk, agent in chosen.items() if pk not in current]
    removed = [pk for pk in current if pk not in chosen]
    if added or removed:
        GroupMembership.objects.filter(group=group, agent_id__in=removed).delete()
        now = clock.now()
        GroupMembership.objects.bulk_create(GroupMembership(group=group, agent=agent, added_at=now) for agent in added)
        _record(actor, "group.members.changed", "members", before=sorted(current.values()), group=group, after={
            "group": group.name, "members": sorted(agent.get_username() for agent in chosen.values()),
            "added": sorted(agent.get_username() for agent in added),
            "removed": sorted(current[pk] for pk in removed)})
    return sorted(chosen.values(), key=lambda agent: agent.get_username())


# --- round robin ----------------------------------------------------------------------------------------------


@transaction.atomic
def assign_round_robin(ticket: Ticket) -> Agent | None:
    """Assign an unassigned ticket to the next agent of its group's round robin, if the group has one."""
    if ticket.assignee_id is not None or ticket.group_id is None or ticket.is_closed:
        return None
    rotation = RoundRobin.objects.select_for_update().filter(group_id=ticket.group_id, active=True).first()
    if rotation is None:
        return None
    agents = (Agent.objects.filter(group_memberships__group_id=ticket.group_id) if rotation.of_members
              else rotation.agents)
    agent_ids = list(agents.filter(is_active=True).values_list("pk", flat=True))
    chosen_id = next_in_turn(agent_ids, rotation.last_assigned_id)
    if chosen_id is None:
        return None
    agent = Agent.objects.get(pk=chosen_id)
    changed = ticket_actions.update_ticket(ticket, actor=ROUND_ROBIN, assignee=agent)
    ticket.assignee, ticket.updated_at = agent, changed.updated_at  # the caller's ticket (a signal's) sees it
    rotation.last_assigned, rotation.updated_at = agent, clock.now()
    rotation.save(update_fields=["last_assigned", "updated_at"])
    _record(ROUND_ROBIN, "round_robin.assigned", "round_robin", round_robin=rotation, after={
        "group": str(rotation.group), "agent": agent.username, "ticket": ticket.pk})
    return agent


ONE_ROTATION = "A round robin takes turns among the group's members or among agents listed, not both."


@transaction.atomic
def set_round_robin(group, *, actor: Actor, agents: Iterable[Agent] = (), active: bool = True,
                    of_members: bool = False) -> RoundRobin:
    """Create or change a group's round robin: the agents in turn, or the group's members as they change
    (`of_members`, and no agents listed), on or off."""
    agents = list(agents)
    if of_members and agents:
        raise ValidationFailed(ONE_ROTATION, field="agents")
    now = clock.now()
    rotation, created = RoundRobin.objects.select_for_update().get_or_create(
        group=group, defaults={"active": active, "updated_at": now})
    before = None if created else {"active": rotation.active, "of_members": rotation.of_members,
                                   "agents": sorted(rotation.agents.values_list("username", flat=True))}
    rotation.active, rotation.of_members, rotation.updated_at = active, of_members, now
    rotation.save(update_fields=["active", "of_members", "updated_at"])
    rotation.agents.set(agents)
    after = {"active": active, "of_members": of_members, "agents": sorted(agent.username for agent in agents)}
    if after != before:
        _record(actor, "round_robin.changed", "round_robin", before=before, after=after, round_robin=rotation)
    return rotation
