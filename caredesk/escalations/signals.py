"""Signals the escalation actions send inside their transaction, for apps above escalations (sla).

Receivers run in the same transaction as the change, so what they write commits or rolls back with it.
"""

from django.dispatch import Signal

# The customer agreed to wait for an update within 1 business day (SOP 002), recorded as
# "escalation.agreed_to_wait" on the ticket. sender=Escalation, escalation=Escalation, ticket=Ticket
update_promised = Signal()
