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
# Sent while a change to "solved" is staged, before anything is written: a receiver refuses the solve by raising
# a DomainError (resolutions: the resolution fields the team requires). sender=Ticket, ticket=Ticket, actor=Actor
ticket_solving = Signal()
# Sent by the auto-close sweep: each receiver returns a condition (a Q or an expression) on Ticket of the
# solved tickets it holds open past the delay (resolutions: a confirmation awaited). sender=Ticket, cutoff=datetime
auto_close_holds = Signal()
