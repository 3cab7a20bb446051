"""The configured lists (ticket types, groups, industries...) and agents (canned responses: api/desk.py)."""

from __future__ import annotations

from ninja import Router, Schema

from caredesk.api.auth import require
from caredesk.api.customers import EntryOut
from caredesk.core.models import Agent
from caredesk.core.roles import WORK_TICKETS
from caredesk.customers.models import CustomerType, Industry
from caredesk.tickets.models import Category, Group, TicketType

router = Router(tags=["configuration"])


class ListsOut(Schema):
    ticket_types: list[EntryOut]
    categories: list[EntryOut]
    groups: list[EntryOut]
    industries: list[EntryOut]
    customer_types: list[EntryOut]


class AgentOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    skills: list[str]
    presence: str

    @staticmethod
    def resolve_name(agent: Agent) -> str:
        return agent.display_name

    @staticmethod
    def resolve_roles(agent: Agent) -> list[str]:
        return sorted(group.name for group in agent.groups.all())

    @staticmethod
    def resolve_skills(agent: Agent) -> list[str]:
        return [skill.name for skill in agent.skills.all()]


@router.get("/lists", response=ListsOut)
def lists(request):
    require(request, WORK_TICKETS)
    active = {"active": True}
    return {
        "ticket_types": TicketType.objects.filter(**active),
        "categories": Category.objects.filter(**active),
        "groups": Group.objects.filter(**active),
        "industries": Industry.objects.filter(**active),
        "customer_types": CustomerType.objects.filter(**active),
    }


@router.get("/agents", response=list[AgentOut])
def agents(request):
    require(request, WORK_TICKETS)
    return list(Agent.objects.filter(is_active=True).prefetch_related("groups", "skills"))


@router.get("/agents/me", response=AgentOut)
def me(request):
    return request.auth

