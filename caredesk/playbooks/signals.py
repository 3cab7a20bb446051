"""Signals the playbook runner sends inside its transaction, for apps above playbooks (channels).

`message_requested`: a playbook wants a message sent automatically (SOP steps marked `send_automatically`).
The channels app writes an outbox row for it in the same transaction; `message_key` is unique per run and
makes the request idempotent.
"""

from django.dispatch import Signal

# sender=PlaybookRun, run=PlaybookRun, ticket=Ticket, message_key=str (unique within the run),
# channel="email"|"text", template=str (a template name from the playbook), to=tuple[str, ...]
message_requested = Signal()
