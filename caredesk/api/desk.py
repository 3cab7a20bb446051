"""Macros, canned responses (edited by Team Supervisors), bulk changes, merging and assignment: the moves an
integration makes over tickets, through the same actions as the workspace (caredesk.desk.actions)."""

from __future__ import annotations

from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.tickets import StatusName, TicketOut, _ticket_or_404
from caredesk.api.types import Id, InputSchema, Key, LongText, PriorityName, ShortText
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.core.errors import NotFound
from caredesk.core.roles import MANAGE_GROUPS, MANAGE_RESPONSES, WORK_TICKETS
from caredesk.desk import actions, queries
from caredesk.desk.models import Macro
from caredesk.tickets.models import CannedResponse, Group, Priority

router = Router(tags=["macros and bulk changes"])

TabName = Literal["reply", "note", "call", "text"]


def _key(entry) -> str | None:
    return entry.key if entry is not None else None


class MacroOut(Schema):
    id: int
    name: str
    tab: str = Field(description='Where its text goes: "reply" (sent by email), "note", or "" (no text).')
    body: str
    status: str
    priority: str | None
    ticket_type: str | None
    category: str | None
    group: str | None
    assignee: str | None
    add_tags: list[str]
    active: bool

    @staticmethod
    def resolve_priority(macro: Macro) -> str | None:
        return Priority(macro.priority).label if macro.priority is not None else None

    @staticmethod
    def resolve_ticket_type(macro: Macro) -> str | None:
        return _key(macro.ticket_type)

    @staticmethod
    def resolve_category(macro: Macro) -> str | None:
        return _key(macro.category)

    @staticmethod
    def resolve_group(macro: Macro) -> str | None:
        return _key(macro.group)

    @staticmethod
    def resolve_assignee(macro: Macro) -> str | None:
        return macro.assignee.username if macro.assignee else None


class MacroIn(InputSchema):
    name: ShortText | None = None
    tab: Literal["", "reply", "note"] | None = None
    body: LongText | None = None
    status: Literal["", "open", "pending", "on_hold", "solved", "closed"] | None = None
    priority: PriorityName | None = None
    ticket_type: Key | None = None
    category: Key | None = None
    group: Key | None = None
    assignee: ShortText | None = None
    add_tags: list[Key] | None = Field(None, max_length=50)
    active: bool | None = None


class CannedResponseIn(InputSchema):
    name: ShortText | None = None
    tabs: list[TabName] | None = None
    body: LongText | None = None
    fields: list[ShortText] | None = Field(None, max_length=50)
    active: bool | None = None


class CannedResponseOut(Schema):
    id: int
    name: str
    tabs: list[str] = Field(description="The composer tabs it is offered in: reply, note, call, text.")
    body: str
    fields: list[str]
    active: bool


class BulkIn(InputSchema):
    ticket_ids: list[Id] = Field(min_length=1, max_length=actions.MAX_BULK)
    assignee: ShortText | None = Field(None, description='A username, "me", or "" to unassign; absent: unchanged.')
    status: StatusName | None = None
    add_tags: list[Key] = Field(default_factory=list, max_length=50)
    macro_id: Id | None = None


class BulkOut(Schema):
    changed: list[int]
    refused: dict[int, str] = Field(description="Each ticket left unchanged, with the reason.")


class MemberOut(Schema):
    username: str
    name: str

    @staticmethod
    def resolve_name(agent) -> str:
        return agent.display_name


class MembersIn(InputSchema):
    members: list[ShortText] = Field(max_length=500, description="The usernames of all the group's members.")


class MergeIn(InputSchema):
    into: Id = Field(description="The ticket the duplicate is merged into.")


def _macro_fields(payload: MacroIn) -> dict:
    data = payload.dict(exclude_unset=True)
    for name in ("ticket_type", "category", "group"):
        if name in data:
            data[name] = lookups.entry(name, data[name])
    if "assignee" in data:
        data["assignee"] = lookups.agent(data["assignee"])
    if "priority" in data:
        data["priority"] = Priority.from_name(data["priority"]) if data["priority"] else None
    for name in ("tab", "body", "status"):
        if name in data and data[name] is None:
            data[name] = ""
    if "add_tags" in data and data["add_tags"] is None:
        data["add_tags"] = []
    return data


def _macro_or_404(macro_id: int) -> Macro:
    return lookups.get_or_404(Macro.objects.select_related("ticket_type", "category", "group", "assignee"), macro_id)


@router.get("/macros", response=list[MacroOut])
def list_macros(request):
    require(request, WORK_TICKETS)
    return list(Macro.objects.select_related("ticket_type", "category", "group", "assignee"))


@router.post("/macros", response={201: MacroOut})
def create_macro(request, payload: MacroIn):
    agent = require(request, MANAGE_RESPONSES)
    data = _macro_fields(payload)
    name = data.pop("name", None)
    if not name:
        raise ValidationFailed("Give it a name.", field="name")
    macro = actions.create_macro(actor=Actor.of_agent(agent), name=name, **data)
    return Status(201, _macro_or_404(macro.pk))


@router.patch("/macros/{macro_id}", response=MacroOut)
def update_macro(request, macro_id: Id, payload: MacroIn):
    agent = require(request, MANAGE_RESPONSES)
    actions.update_macro(_macro_or_404(macro_id), actor=Actor.of_agent(agent), **_macro_fields(payload))
    return _macro_or_404(macro_id)


@router.post("/tickets/{ticket_id}/macros/{macro_id}", response=TicketOut)
def apply_macro(request, ticket_id: Id, macro_id: Id):
    """Apply a macro: its reply or note and its field changes, together or not at all."""
    agent = require(request, WORK_TICKETS)
    actions.apply_macro(_ticket_or_404(ticket_id), _macro_or_404(macro_id), actor=Actor.of_agent(agent))
    return _ticket_or_404(ticket_id)


@router.post("/tickets/bulk", response=BulkOut)
def bulk_change(request, payload: BulkIn):
    """The same changes to up to 100 tickets; each is audited on its own, and a ticket whose change is refused
    (closed, a status its lifecycle forbids) is reported with the reason while the others change."""
    agent = require(request, WORK_TICKETS)
    changes: dict = {}
    if "assignee" in payload.model_fields_set:
        changes["assignee"] = agent if payload.assignee == "me" else lookups.agent(payload.assignee)
    macro = None
    if payload.macro_id is not None:
        macro = Macro.objects.filter(active=True, pk=payload.macro_id).first()
        if macro is None:  # a field of the body, not the path: 422 naming it
            raise ValidationFailed(f"No macro #{payload.macro_id}.", field="macro_id")
    result = actions.bulk_change(payload.ticket_ids, actor=Actor.of_agent(agent), status=payload.status or "",
                                 add_tags=payload.add_tags, macro=macro, **changes)
    return {"changed": result.changed, "refused": result.refused}


@router.post("/tickets/{ticket_id}/merge", response=TicketOut)
def merge(request, ticket_id: Id, payload: MergeIn):
    """Merge this ticket (a duplicate) into `into`: interactions, documents and follow-ups move there, both
    tickets record it, and this one is closed with a note pointing at `into`. Answers the kept ticket."""
    agent = require(request, WORK_TICKETS)
    actions.merge(_ticket_or_404(ticket_id), _ticket_or_404(payload.into), actor=Actor.of_agent(agent))
    return _ticket_or_404(payload.into)


@router.post("/tickets/{ticket_id}/assign-to-me", response=TicketOut)
def assign_to_me(request, ticket_id: Id):
    agent = require(request, WORK_TICKETS)
    actions.assign_to_me(_ticket_or_404(ticket_id), agent=agent)
    return _ticket_or_404(ticket_id)


@router.get("/canned-responses", response=list[CannedResponseOut])
def canned_responses(request):
    """The canned responses offered to agents (active ones)."""
    require(request, WORK_TICKETS)
    return list(CannedResponse.objects.filter(active=True))


@router.post("/canned-responses", response={201: CannedResponseOut})
def create_canned_response(request, payload: CannedResponseIn):
    agent = require(request, MANAGE_RESPONSES)
    data = payload.dict(exclude_unset=True)
    if not data.get("name"):
        raise ValidationFailed("Give it a name.", field="name")
    return Status(201, actions.create_canned_response(actor=Actor.of_agent(agent), name=data.pop("name"),
                                                      body=data.pop("body", "") or "", **data))


@router.patch("/canned-responses/{response_id}", response=CannedResponseOut)
def update_canned_response(request, response_id: Id, payload: CannedResponseIn):
    agent = require(request, MANAGE_RESPONSES)
    response = lookups.get_or_404(CannedResponse.objects.all(), response_id)
    return actions.update_canned_response(response, actor=Actor.of_agent(agent), **payload.dict(exclude_unset=True))


def _group_or_404(key: str) -> Group:
    group = Group.objects.filter(key=key).first()
    if group is None:
        raise NotFound(f"No ticket group {key!r}.")
    return group


@router.get("/groups/{key}/members", response=list[MemberOut])
def group_members(request, key: Key):
    """The group's active members: they work its queue and hear of its SLA warnings."""
    require(request, WORK_TICKETS)
    group = _group_or_404(key)
    return queries.members_by_group([group.pk])[group.pk]


@router.put("/groups/{key}/members", response=list[MemberOut])
def set_group_members(request, key: Key, payload: MembersIn):
    """Make these agents the group's members (the others leave), in one audited change (`manage_groups`)."""
    agent = require(request, MANAGE_GROUPS)
    group = _group_or_404(key)
    members = [lookups.agent(username, field="members") for username in payload.members]
    return actions.set_group_members(group, actor=Actor.of_agent(agent), agents=members)
