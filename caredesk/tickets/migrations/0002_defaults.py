from django.db import migrations

from caredesk.core.migration_helpers import append_only
from caredesk.tickets import defaults


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [
        append_only("tickets_ticketevent"),
        migrations.RunPython(defaults.seed, migrations.RunPython.noop),
    ]
