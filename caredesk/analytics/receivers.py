"""Every ticket change marks the ticket's report facts due, in the change's transaction."""

from django.dispatch import receiver

from caredesk.analytics.actions import mark_due
from caredesk.tickets.signals import interaction_added, ticket_changed, ticket_created


@receiver(ticket_created, dispatch_uid="analytics.on_ticket_created")
@receiver(ticket_changed, dispatch_uid="analytics.on_ticket_changed")
@receiver(interaction_added, dispatch_uid="analytics.on_interaction_added")
def on_ticket_event(sender, ticket, **kwargs):
    mark_due([ticket.pk])
