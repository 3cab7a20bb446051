"""Mark every ticket that exists before analytics was installed due, so the worker computes its facts."""

from datetime import UTC, datetime

from django.db import migrations


def mark_existing(apps, schema_editor):
    Ticket, TicketFacts = apps.get_model("tickets.Ticket"), apps.get_model("analytics.TicketFacts")
    due = datetime(2000, 1, 1, tzinfo=UTC)  # before any clock's now: due at once
    ids = Ticket.objects.order_by("pk").values_list("pk", flat=True)
    batch = []
    for pk in ids.iterator(chunk_size=5000):
        batch.append(TicketFacts(ticket_id=pk, next_due_at=due))
        if len(batch) == 5000:
            TicketFacts.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    TicketFacts.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("tickets", "0001_initial")]
    operations = [migrations.RunPython(mark_existing, migrations.RunPython.noop)]
