"""Indexes for the views' sorts: every sort a view offers (number, updated, created, priority) walks an index
in (sort column, id) order, so a page of a view over a million tickets reads a page of rows instead of
sorting every match."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_tag_links_by_tag")]
    operations = [
        migrations.AddIndex("ticket", models.Index(fields=["created_at", "id"], name="ticket_created_id")),
        migrations.AddIndex("ticket", models.Index(fields=["priority", "id"], name="ticket_priority_id")),
    ]
