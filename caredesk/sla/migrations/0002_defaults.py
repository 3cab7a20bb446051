from django.db import migrations

from caredesk.sla import defaults


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("calendars", "0002_defaults"), ("tickets", "0004_ticket_sort_indexes")]
    operations = [migrations.RunPython(defaults.seed, migrations.RunPython.noop)]
