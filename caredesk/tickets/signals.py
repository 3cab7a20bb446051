"""Signals the ticket actions send inside their transaction, for apps above tickets (playbooks, channels).

Receivers run in the same transaction as the change, so what they write commits or rolls back with it.
"""

from django.dispatch import Signal

# sender=Ticket, ticket=Ticket, interaction=Interaction, actor=Actor
interaction_added = Signal()
# sender=Ticket, ticket=Ticket, changes=[(field, before, after)], actor=Actor
ticket_changed = Signal()
# sender=Ticket, ticket=Ticket, actor=Actor
ticket_created = Signal()
