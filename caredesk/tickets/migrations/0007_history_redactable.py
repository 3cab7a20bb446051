"""A ticket's history stays append-only, but for a redaction: its values quote subjects and descriptions, and a
redacted text (a card number) must leave them too. The trigger now lets an UPDATE through only when it changes
nothing but the values and leaves "[redacted]" in them."""

from django.db import migrations

from caredesk.core.migration_helpers import redactable


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_priority_medium")]

    operations = [
        redactable("tickets_ticketevent", ["id", "at", "actor_kind", "actor_label", "actor_id", "action", "field",
                                           "ticket_id", "interaction_id"]),
    ]
