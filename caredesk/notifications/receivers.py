"""Notifications written inside the ticket change that causes them (tickets/signals.py): the new assignee of a
ticket, the assignee when the customer writes or calls, and the agents an internal note mentions (@username)."""

from __future__ import annotations

from django.db.models import Q
from django.dispatch import receiver

from caredesk.core.models import Agent
from caredesk.notifications.actions import notify
from caredesk.notifications.mentions import mentioned_usernames
from caredesk.tickets.models import Interaction
from caredesk.tickets.signals import interaction_added, ticket_changed, ticket_created

EXCERPT = 120


def _subject(ticket) -> str:
    return f"#{ticket.pk} “{ticket.subject}”"


def _who(actor) -> str:
    """An agent by the name colleagues know them by (as the timeline and presence show it), anyone else by label."""
    return actor.agent.display_name if actor.agent is not None else actor.label


def _excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"


def _assigned(ticket, actor) -> None:
    if ticket.assignee_id is not None:
        notify([ticket.assignee], "assigned", ticket, actor=actor,
               text=f"{_who(actor)} assigned {_subject(ticket)} to you")


@receiver(ticket_created, dispatch_uid="notifications.on_ticket_created")
def on_ticket_created(sender, ticket, actor, **kwargs):
    _assigned(ticket, actor)


@receiver(ticket_changed, dispatch_uid="notifications.on_ticket_changed")
def on_ticket_changed(sender, ticket, changes, actor, **kwargs):
    if any(field == "assignee" for field, _, _ in changes):
        _assigned(ticket, actor)


@receiver(interaction_added, dispatch_uid="notifications.on_interaction")
def on_interaction(sender, ticket, interaction, actor, **kwargs):
    if interaction.direction == Interaction.Direction.INBOUND and interaction.kind != Interaction.Kind.NOTE:
        if ticket.assignee_id is not None:
            what = "called" if interaction.kind == Interaction.Kind.CALL else "replied"
            notify([ticket.assignee], "customer_replied", ticket, actor=actor,
                   text=f"{ticket.requester.name} {what} on {_subject(ticket)}: {_excerpt(interaction.body)}")
        return
    if interaction.kind == Interaction.Kind.NOTE and actor.kind == "agent":
        names = mentioned_usernames(interaction.body)
        if names:
            named = Q()
            for name in names:
                named |= Q(username__iexact=name)
            notify(Agent.objects.filter(named), "mentioned", ticket, actor=actor,
                   text=f"{_who(actor)} mentioned you on {_subject(ticket)}: {_excerpt(interaction.body)}")
