"""Round-robin assignment: a ticket created in, or moved to, a group with a round robin and no assignee
goes to the next agent in turn, inside the change's transaction."""

from __future__ import annotations

from django.dispatch import receiver

from caredesk.desk import actions
from caredesk.tickets.signals import ticket_changed, ticket_created


@receiver(ticket_created, dispatch_uid="desk.round_robin_on_created")
def on_created(sender, ticket, actor, **kwargs):
    actions.assign_round_robin(ticket)


@receiver(ticket_changed, dispatch_uid="desk.round_robin_on_changed")
def on_changed(sender, ticket, changes, actor, **kwargs):
    if any(name == "group" for name, _, _ in changes):  # unassigning by hand is left alone
        actions.assign_round_robin(ticket)
