"""An index of tag links by tag, then ticket: "tickets with tag X, newest first" reads it in order."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_defaults")]
    operations = [
        migrations.RunSQL(
            "CREATE INDEX ticket_tag_links_by_tag ON tickets_ticket_tags (tag_id, ticket_id)",
            "DROP INDEX IF EXISTS ticket_tag_links_by_tag",
        ),
    ]
