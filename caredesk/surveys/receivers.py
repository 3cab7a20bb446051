"""Ticket changes that schedule or cancel a satisfaction survey, in the change's transaction."""

from django.dispatch import receiver

from caredesk.surveys import actions
from caredesk.tickets.signals import ticket_changed


@receiver(ticket_changed, dispatch_uid="surveys.on_ticket_changed")
def on_ticket_changed(sender, ticket, changes, actor, **kwargs):
    actions.solved_or_reopened(ticket, changes, actor)
